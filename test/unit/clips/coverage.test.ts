import { describe, expect, it } from 'vitest';
import { coverage } from '../../../shared/clips/coverage.js';

const clips = (starts: number[], durationMs?: number) => starts.map((s) => ({ startMs: s * 1000, ...(durationMs ? { durationMs } : {}) }));
const win = { fromMs: 10_000, toMs: 40_000 };

describe('replay window coverage', () => {
  it('is complete when consecutive 5 s clips span the window', () => {
    const c = coverage(clips([5, 10, 15, 20, 25, 30, 35, 40, 45]), win, { nominalMs: 5000 });
    expect(c.complete).toBe(true);
    expect(c.used.map((x) => x.startMs / 1000)).toEqual([10, 15, 20, 25, 30, 35]);
    expect(c.coveredMs).toBe(30_000);
  });

  it('names the gaps: a missing clip in the middle, footage ending early', () => {
    const c = coverage(clips([10, 15, 25, 30]), win, { nominalMs: 5000 });
    expect(c.complete).toBe(false);
    expect(c.gaps).toEqual([{ fromMs: 20_000, toMs: 25_000 }, { fromMs: 35_000, toMs: 40_000 }]);
    expect(c.coveredMs).toBe(20_000);
  });

  it('tolerates small gaps between clips (recorder jitter) and uses probed durations', () => {
    const jitter = [10_000, 15_300, 20_500, 25_900, 31_000, 36_000].map((s) => ({ startMs: s, durationMs: 5000 }));
    expect(coverage(jitter, win, { nominalMs: 5000 }).complete).toBe(true);
    // 4 s clips leave 1 s holes: too much with a 500 ms tolerance.
    expect(coverage(clips([10, 15, 20, 25, 30, 35], 4000), win, { nominalMs: 5000, toleranceMs: 500 }).complete).toBe(false);
  });

  it('has nothing before the first clip ever recorded', () => {
    const c = coverage(clips([20, 25, 30, 35]), win, { nominalMs: 5000 });
    expect(c.gaps).toEqual([{ fromMs: 10_000, toMs: 20_000 }]);
    expect(coverage([], win, { nominalMs: 5000 })).toEqual({ complete: false, used: [], gaps: [win], coveredMs: 0 });
  });
});
