import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCutArgs,
  cutClips,
  keyframeTimes,
  keyframesAllowCopy,
  parseSegmentListLine,
  type ClipInfo,
} from '../../../shared/video/clips.js';
import { MediaError } from '../../../shared/video/ffmpeg.js';
import { probe } from '../../../shared/video/probe.js';
import { FIXTURE, GARBAGE, fixtureHead, tempDir } from './fixture.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

describe('cutClips', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let clips: ClipInfo[];
  const emitted: ClipInfo[] = [];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    clips = await cutClips(FIXTURE, { outDir: join(dir, 'cut'), onClip: (c) => void emitted.push(c) });
  });
  afterAll(() => cleanup());

  it('cuts the 30 s fixture into six 5 s clips (re-encoded: its keyframes are at 0 s and 25 s only)', async () => {
    expect(await keyframeTimes(FIXTURE)).toEqual([0, 25]);
    expect(clips).toHaveLength(6);
    const probes = await Promise.all(clips.map((c) => probe(c.path)));
    for (const [i, p] of probes.entries()) {
      expect(p.durationSec).toBeGreaterThan(4.5);
      expect(p.durationSec).toBeLessThan(5.5);
      expect(p).toMatchObject({ width: 768, height: 576, codec: 'h264' });
      expect(clips[i]!.startSec).toBeCloseTo(i * 5, 1);
    }
    // Each clip starts with a keyframe, so later steps can stream-copy them.
    expect((await keyframeTimes(clips[2]!.path))[0]).toBe(0);
  });

  it('reported every clip through onClip, in order', () => {
    expect(emitted.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(emitted[5]!.path).toMatch(/clip_00005\.mp4$/);
  });

  it('stream-copies a looping source whose keyframes line up, and stops at maxDurationSec', async () => {
    const head = await fixtureHead(dir, 5);
    const looped = await cutClips(head, { loop: true, maxDurationSec: 12, stallTimeoutMs: 20_000 });
    expect(looped.map((c) => Math.round(c.durationSec))).toEqual([5, 5, 2]);
    // Temp-dir mode: files are gone once cutClips resolves.
    expect(looped.some((c) => existsSync(c.path))).toBe(false);
  });

  it('stopSignal closes the current clip, emits it and resolves', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const got = await cutClips(FIXTURE, {
      segmentSec: 1,
      onClip: async (c) => {
        expect(existsSync(c.path)).toBe(true); // readable during the callback
        seen.push(c.index);
        stop.abort();
      },
      stopSignal: stop.signal,
    });
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.length).toBeLessThan(30);
    expect(seen).toEqual(got.map((c) => c.index));
  });

  it('a failing onClip stops ffmpeg and rejects with that error', async () => {
    const boom = new Error('upload failed');
    await expect(cutClips(FIXTURE, { segmentSec: 1, onClip: () => Promise.reject(boom) })).rejects.toBe(boom);
  });

  it('rejects garbage with a typed error; abort, timeout and stall kill ffmpeg', async () => {
    const bad = join(dir, 'garbage.mp4');
    await writeFile(bad, GARBAGE);
    const err = await cutClips(bad, { outDir: join(dir, 'bad') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('INVALID_INPUT');

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    await expect(cutClips(FIXTURE, { realtime: true, signal: ac.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(cutClips(FIXTURE, { realtime: true, timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    // Stall watchdog: a 1 s clip can't close within 300 ms of real-time reading.
    await expect(cutClips(FIXTURE, { realtime: true, segmentSec: 1, stallTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });
});

describe('cut helpers', () => {
  it('builds RTSP capture arguments (TCP, stream copy, segment list on fd 3)', () => {
    const args = buildCutArgs('rtsp://cam.local:554/stream1', { codec: 'copy', outDir: '/data/clips' });
    const at = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    expect(args.indexOf('-rtsp_transport')).toBeLessThan(args.indexOf('-i'));
    expect(at('-rtsp_transport')).toBe('tcp');
    expect(at('-i')).toBe('rtsp://cam.local:554/stream1');
    expect(at('-c:v')).toBe('copy');
    expect(at('-segment_time')).toBe('5');
    expect(at('-segment_list')).toBe('pipe:3');
    expect(at('-segment_format_options')).toBe('movflags=+faststart');
    expect(args.at(-1)).toBe('/data/clips/clip_%05d.mp4');
    expect(args).not.toContain('-stream_loop');
  });

  it('builds looping / re-encoding arguments', () => {
    const args = buildCutArgs('/videos/a.mp4', {
      codec: 'reencode',
      outDir: '/o',
      loop: true,
      realtime: true,
      segmentSec: 4,
      fps: 10,
      live: true,
    });
    expect(args.slice(args.indexOf('-stream_loop'), args.indexOf('-i'))).toEqual(['-stream_loop', '-1', '-re']);
    expect(args).toContain('libx264');
    expect(args[args.indexOf('-force_key_frames') + 1]).toBe('expr:gte(t,n_forced*4)');
    expect(args[args.indexOf('-segment_time_delta') + 1]).toBe('0.050000');
    expect(args).toContain('zerolatency');
  });

  it('decides copy vs re-encode from keyframes', () => {
    expect(keyframesAllowCopy([0, 25], 30, 5, 0.05)).toBe(false);
    expect(keyframesAllowCopy([0, 5, 10, 15, 20, 25], 30, 5, 0.05)).toBe(true);
    expect(keyframesAllowCopy([0, 2.5, 5, 7.5], 10, 5, 0.05)).toBe(true);
    expect(keyframesAllowCopy([0, 5], 7, 5, 0.05, true)).toBe(false); // loop would shift the phase
  });

  it('parses segment list lines', () => {
    expect(parseSegmentListLine('clip_00001.mp4,5.000000,10.000000')).toEqual({ name: 'clip_00001.mp4', startSec: 5, endSec: 10 });
    expect(parseSegmentListLine('"a,b.mp4",0.0,5.0')).toEqual({ name: 'a,b.mp4', startSec: 0, endSec: 5 });
    expect(parseSegmentListLine('junk')).toBeUndefined();
  });
});
