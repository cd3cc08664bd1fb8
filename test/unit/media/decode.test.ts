import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, scaledSize, type RawFrame } from '../../../shared/video/decode.js';
import { MediaError, needsSeekableInput } from '../../../shared/video/ffmpeg.js';
import { FIXTURE, GARBAGE, fixtureHead, tempDir } from './fixture.js';

const collect = async (it: AsyncIterable<RawFrame>): Promise<RawFrame[]> => {
  const out: RawFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
};

describe('decodeFrames', () => {
  let dir: string;
  let clip5: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    clip5 = await fixtureHead(dir, 5);
  });
  afterAll(() => cleanup());

  it('decodes a 5 s clip at 2 fps into ~10 RGB24 frames with increasing pts', async () => {
    const frames = await collect(decodeFrames(clip5, { fps: 2 }));
    expect(frames.length).toBeGreaterThanOrEqual(9);
    expect(frames.length).toBeLessThanOrEqual(11);
    frames.forEach((f, i) => {
      expect(f.index).toBe(i);
      expect(f.width).toBe(768);
      expect(f.height).toBe(576);
      expect(f.data.length).toBe(768 * 576 * 3);
    });
    expect(frames[0]!.ptsSec).toBe(0);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.ptsSec).toBeCloseTo(frames[i - 1]!.ptsSec + 0.5, 6);
    // Real picture content, not a zero-filled buffer.
    expect(new Set(frames[3]!.data.subarray(0, 30_000)).size).toBeGreaterThan(20);
    // Consecutive frames differ (pedestrians move), i.e. chunk boundaries didn't duplicate data.
    expect(Buffer.compare(frames[1]!.data, frames[2]!.data)).not.toBe(0);
  });

  it('downscales with maxWidth and reads Buffers (piped, or spilled when moov is at the end)', async () => {
    const small = await collect(decodeFrames(readFileSync(clip5), { fps: 2, maxWidth: 320 }));
    expect(small.length).toBeGreaterThanOrEqual(9);
    expect(small[0]).toMatchObject({ width: 320, height: 240 });
    expect(small[0]!.data.length).toBe(320 * 240 * 3);
    const moovLast = readFileSync(await fixtureHead(dir, 5, { faststart: false }));
    expect(needsSeekableInput(moovLast)).toBe(true);
    const spilled = await collect(decodeFrames(moovLast, { fps: 2, maxWidth: 160 }));
    expect(spilled.length).toBe(small.length);
    expect(spilled[0]).toMatchObject({ width: 160, height: 120 });
  });

  it("decodes every frame with fps 'native'", async () => {
    const frames = await collect(decodeFrames(clip5, { fps: 'native', maxWidth: 192 }));
    // 50 frames at 10 fps (±1: a stream-copied cut may keep one frame across the 5 s mark).
    expect(Math.abs(frames.length - 50)).toBeLessThanOrEqual(1);
    expect(frames[49]!.ptsSec).toBeCloseTo(4.9, 6);
  });

  it('stops ffmpeg when the consumer breaks early', async () => {
    let n = 0;
    const started = Date.now();
    for await (const f of decodeFrames(FIXTURE, { fps: 'native' })) {
      expect(f.index).toBe(n);
      if (++n === 3) break;
    }
    expect(n).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects garbage with a typed error instead of hanging', async () => {
    const err = await collect(decodeFrames(GARBAGE)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('INVALID_INPUT');
    await expect(collect(decodeFrames(clip5, { fps: 0 }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('computes even, proportional output sizes', () => {
    expect(scaledSize(768, 576, 320)).toEqual({ width: 320, height: 240 });
    expect(scaledSize(768, 576, 1000)).toEqual({ width: 768, height: 576 });
    expect(scaledSize(1920, 1080, 641)).toEqual({ width: 640, height: 360 });
  });
});
