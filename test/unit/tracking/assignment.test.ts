import { describe, expect, it } from 'vitest';
import { maxWeightAssignment } from '../../../shared/tracking/assignment.js';

const total = (w: number[][], pairs: Array<[number, number]>) =>
  pairs.reduce((s, [r, c]) => s + w[r]![c]!, 0);

/** Exhaustive maximum over all partial matchings (small sizes only). */
function bruteForceBest(w: number[][]): number {
  const rows = w.length;
  const cols = w[0]?.length ?? 0;
  const usedCols = new Array<boolean>(cols).fill(false);
  const go = (r: number): number => {
    if (r === rows) return 0;
    let best = go(r + 1); // leave row r unmatched
    for (let c = 0; c < cols; c++) {
      if (usedCols[c] || w[r]![c]! <= 0) continue;
      usedCols[c] = true;
      best = Math.max(best, w[r]![c]! + go(r + 1));
      usedCols[c] = false;
    }
    return best;
  };
  return go(0);
}

// Small deterministic PRNG so failures are reproducible.
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('maxWeightAssignment', () => {
  it('beats greedy where the best single pair is the wrong choice', () => {
    // Greedy takes (0,0)=0.9 and leaves row 1 unmatched (total 0.9); optimal is 0.8 + 0.85.
    const w = [
      [0.9, 0.8],
      [0.85, 0],
    ];
    expect(maxWeightAssignment(w)).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('drops pairs whose weight is 0 (gated out)', () => {
    expect(maxWeightAssignment([[0, 0], [0, 0.5]])).toEqual([[1, 1]]);
    expect(maxWeightAssignment([[0]])).toEqual([]);
  });

  it('handles empty and rectangular inputs', () => {
    expect(maxWeightAssignment([])).toEqual([]);
    expect(maxWeightAssignment([[], []])).toEqual([]);
    expect(maxWeightAssignment([[0.2, 0.9, 0.1]])).toEqual([[0, 1]]);
    expect(maxWeightAssignment([[0.2], [0.9], [0.1]])).toEqual([[1, 0]]);
  });

  it('matches brute force on random matrices (incl. gated zeros and non-square)', () => {
    const rnd = lcg(42);
    for (let k = 0; k < 300; k++) {
      const rows = 1 + Math.floor(rnd() * 5);
      const cols = 1 + Math.floor(rnd() * 5);
      const w = Array.from({ length: rows }, () =>
        Array.from({ length: cols }, () => (rnd() < 0.3 ? 0 : Math.round(rnd() * 100) / 100)),
      );
      const pairs = maxWeightAssignment(w);
      // Valid matching: each row and column at most once, only positive weights.
      expect(new Set(pairs.map((p) => p[0])).size).toBe(pairs.length);
      expect(new Set(pairs.map((p) => p[1])).size).toBe(pairs.length);
      for (const [r, c] of pairs) expect(w[r]![c]!).toBeGreaterThan(0);
      expect(total(w, pairs)).toBeCloseTo(bruteForceBest(w), 9);
    }
  });
});
