import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClips } from '../../../shared/video/clips.js';
import { MediaError } from '../../../shared/video/ffmpeg.js';
import { probe } from '../../../shared/video/probe.js';
import { buildReplay, planReplay, type ReplayClip } from '../../../shared/video/replay.js';
import { FIXTURE, GARBAGE, tempDir } from './fixture.js';

// Wall clock of the recording: three consecutive 5 s clips covering T0+15 s .. T0+30 s.
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const at = (sec: number): number => T0 + sec * 1000;

describe('buildReplay', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let clips: ReplayClip[];

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    const cut = await cutClips(FIXTURE, { outDir: join(dir, 'clips'), maxDurationSec: 15 });
    expect(cut).toHaveLength(3);
    clips = cut.map((c) => ({ path: c.path, startMs: at(15 + c.startSec) }));
  });
  afterAll(() => cleanup());

  const duration = async (out: Buffer | string): Promise<number> => (await probe(out)).durationSec;

  it('cuts an arbitrary window exactly (re-encode) within ±1 s', async () => {
    const win = { fromMs: at(17), toMs: at(27) };
    const plan = await planReplay(clips, win);
    expect(plan.reencode).toBe(true);
    expect(plan.segments).toHaveLength(3);
    expect(plan.trimStartSec).toBeCloseTo(2, 3);
    expect(plan.trimEndSec).toBeCloseTo(12, 3);
    const out = await buildReplay(clips, win);
    expect(Math.abs((await duration(out)) - 10)).toBeLessThanOrEqual(1);
    // +faststart: moov before mdat.
    expect(out.indexOf('moov')).toBeLessThan(out.indexOf('mdat'));
  });

  it('stream-copies a window on clip boundaries', async () => {
    const win = { fromMs: at(15), toMs: at(30) };
    expect((await planReplay(clips, win)).reencode).toBe(false);
    const out = await buildReplay(clips, { ...win, outPath: join(dir, 'copy.mp4') });
    expect(out).toBe(join(dir, 'copy.mp4'));
    expect(Math.abs((await duration(out)) - 15)).toBeLessThanOrEqual(1);
  });

  it('accurate: false widens to whole clips without re-encoding', async () => {
    const win = { fromMs: at(21), toMs: at(24), accurate: false };
    const plan = await planReplay(clips, win);
    expect(plan).toMatchObject({ reencode: false, startMs: at(20), endMs: at(25) });
    expect(Math.abs((await duration(await buildReplay(clips, win))) - 5)).toBeLessThanOrEqual(1);
  });

  it('clamps a window that runs past the footage (15 s..45 s style request)', async () => {
    const win = { fromMs: at(10), toMs: at(45) };
    const plan = await planReplay(clips, win);
    expect(plan).toMatchObject({ startMs: at(15), endMs: at(30) });
    expect(Math.abs((await duration(await buildReplay(clips, win))) - 15)).toBeLessThanOrEqual(1);
  });

  it('accepts in-memory clips with known durations', async () => {
    const mem: ReplayClip[] = clips.map((c) => ({ buffer: readFileSync(c.path!), startMs: c.startMs, durationMs: 5000 }));
    // Piped on fds 3+ (they are moov-first); the window spans two clips and is re-encoded.
    const out = await buildReplay(mem, { fromMs: at(18.5), toMs: at(22) });
    expect(Math.abs((await duration(out)) - 3.5)).toBeLessThanOrEqual(1);
  });

  it('skips gaps and trims overlaps in the plan', async () => {
    const gap: ReplayClip[] = [
      { path: 'a', startMs: at(0), durationMs: 5000 },
      { path: 'b', startMs: at(8), durationMs: 5000 },
    ];
    expect(await planReplay(gap, { fromMs: at(0), toMs: at(13) })).toMatchObject({ missingMs: 3000, durationSec: 10 });
    const overlap: ReplayClip[] = [
      { path: 'a', startMs: at(0), durationMs: 5000 },
      { path: 'b', startMs: at(4), durationMs: 5000 },
    ];
    const plan = await planReplay(overlap, { fromMs: at(0), toMs: at(9) });
    expect(plan.segments.map((s) => s.usedMs)).toEqual([4000, 5000]);
    expect(plan.durationSec).toBe(9);
  });

  it('rejects uncovered windows and garbage clips with typed errors', async () => {
    await expect(buildReplay(clips, { fromMs: at(100), toMs: at(110) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(buildReplay(clips, { fromMs: at(20), toMs: at(20) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const err = await buildReplay([{ buffer: GARBAGE, startMs: at(0) }], { fromMs: at(0), toMs: at(5) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('INVALID_INPUT');
  });
});
