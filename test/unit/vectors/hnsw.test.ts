import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_HNSW_PARAMS,
  DimensionMismatchError,
  ExactIndex,
  HnswIndex,
  loadIndex,
  type SearchHit,
} from '../../../shared/vectors/index.js';
import { randomUnitVectors } from './helpers.js';

// Uniform random unit vectors are the hard case for HNSW (no cluster structure to exploit); d=128
// keeps the 5k build to a couple of seconds while still well past "low-dimensional".
const D = 128;
const N = 5000;

function recallAt(k: number, got: SearchHit[][], want: SearchHit[][]): number {
  let hit = 0;
  got.forEach((hits, q) => {
    const truth = new Set(want[q]!.map((h) => h.id));
    hit += hits.filter((h) => truth.has(h.id)).length;
  });
  return hit / (got.length * k);
}

describe('HnswIndex', () => {
  const vectors = randomUnitVectors(N, D, 1);
  const queries = randomUnitVectors(200, D, 2);
  let hnsw: HnswIndex;
  let exact: ExactIndex;

  beforeAll(() => {
    hnsw = HnswIndex.create({ dimension: D, seed: 7 }); // starts at minimum capacity: exercises resize
    exact = new ExactIndex({ dimension: D });
    vectors.forEach((v, i) => {
      hnsw.upsert(`v${i}`, v);
      exact.upsert(`v${i}`, v);
    });
  });

  it('reaches recall@10 ≥ 0.95 against exact search with the default parameters', () => {
    expect(hnsw.params).toEqual(DEFAULT_HNSW_PARAMS);
    const got = queries.map((q) => hnsw.search(q, 10));
    const want = queries.map((q) => exact.search(q, 10));
    expect(recallAt(10, got, want)).toBeGreaterThanOrEqual(0.95);
    // Scores are cosine similarities, best first, and agree with exact for the ids both return.
    for (const [q, hits] of got.entries()) {
      expect(hits).toHaveLength(10);
      for (let i = 1; i < hits.length; i++) expect(hits[i]!.score).toBeLessThanOrEqual(hits[i - 1]!.score);
      const exactScores = new Map(want[q]!.map((h) => [h.id, h.score]));
      for (const h of hits) if (exactScores.has(h.id)) expect(h.score).toBeCloseTo(exactScores.get(h.id)!, 4);
    }
  });

  it('serialize → load gives identical results and keeps parameters', async () => {
    const copy = await loadIndex(await hnsw.serialize());
    expect(copy).toBeInstanceOf(HnswIndex);
    expect((copy as HnswIndex).params).toEqual(hnsw.params);
    expect(copy.size).toBe(N);
    for (const q of queries.slice(0, 50)) expect(copy.search(q, 10)).toEqual(hnsw.search(q, 10));
  });

  describe('mutations (on a private copy)', () => {
    let index: HnswIndex;
    beforeAll(async () => {
      index = (await loadIndex(await hnsw.serialize())) as HnswIndex;
    });

    it('remove then search never returns the removed id', () => {
      for (let i = 0; i < 500; i++) expect(index.remove(`v${i}`)).toBe(true);
      expect(index.remove('v0')).toBe(false);
      expect(index.size).toBe(N - 500);
      // Query with the removed vectors themselves: each would otherwise be its own top hit.
      for (let i = 0; i < 500; i++) {
        const ids = index.search(vectors[i]!, 10).map((h) => h.id);
        expect(ids).toHaveLength(10);
        expect(ids).not.toContain(`v${i}`);
      }
    });

    it('removed ids can come back; compact() drops the tombstones', async () => {
      expect(index.deletedFraction).toBeCloseTo(500 / N, 6);
      const fresh = randomUnitVectors(100, D, 3);
      fresh.forEach((v, i) => index.upsert(`new${i}`, v));
      index.upsert('v0', vectors[0]!); // a removed id re-added gets a fresh label
      expect(index.size).toBe(N - 500 + 101);
      expect(index.search(fresh[42]!, 1)[0]).toMatchObject({ id: 'new42' });
      expect(index.search(vectors[0]!, 1)[0]).toMatchObject({ id: 'v0' });

      const compacted = index.compact();
      expect(compacted.deletedFraction).toBe(0);
      expect(compacted.size).toBe(index.size);
      expect(compacted.params).toEqual(index.params);
      expect(compacted.has('v1')).toBe(false);
      expect(compacted.search(fresh[7]!, 1)[0]).toMatchObject({ id: 'new7' });
      // 499 fewer graph slots of d×4 bytes + links each.
      const [big, small] = [await index.serialize(), await compacted.serialize()];
      expect(big.byteLength - small.byteLength).toBeGreaterThan(499 * D * 4);
    });

    it('upsert replaces the vector of an existing id', () => {
      const [replacement] = randomUnitVectors(1, D, 4);
      const size = index.size;
      index.upsert('v4000', replacement!);
      expect(index.size).toBe(size);
      const [top] = index.search(replacement!, 1);
      expect(top).toMatchObject({ id: 'v4000' });
      expect(top!.score).toBeCloseTo(1, 4);
      expect(index.search(vectors[4000]!, 10).map((h) => h.id)).not.toContain('v4000');
      // Re-upserting the same vector (a replayed change) is a no-op rather than a new tombstone.
      const tombstones = index.deletedFraction;
      index.upsert('v4000', Array.from(replacement!, (x) => x * 2));
      expect(index.deletedFraction).toBe(tombstones);
    });

    it('mutations survive a serialize → load round trip', async () => {
      const copy = (await loadIndex(await index.serialize())) as HnswIndex;
      expect(copy.size).toBe(index.size);
      expect(copy.has('v1')).toBe(false);
      for (const q of queries.slice(0, 30)) expect(copy.search(q, 10)).toEqual(index.search(q, 10));
      expect(copy.deletedFraction).toBeCloseTo(index.deletedFraction, 9);
      copy.remove('new1');
      copy.upsert('post-load', queries[0]!); // labels continue after the saved counter
      expect(copy.search(queries[0]!, 1)[0]).toMatchObject({ id: 'post-load' });
      expect(copy.search(queries[1]!, 10)).toEqual(index.search(queries[1]!, 10).filter((h) => h.id !== 'new1').slice(0, 10));
    });
  });

  it('minScore filter, k beyond size, and k larger than efSearch', () => {
    const small = HnswIndex.create({ dimension: D, efSearch: 8 });
    vectors.slice(0, 50).forEach((v, i) => small.upsert(`s${i}`, v));
    expect(small.search(queries[0]!, 100)).toHaveLength(50);
    expect(small.search(queries[0]!, 30)).toHaveLength(30); // ef is raised to k
    const top = small.search(vectors[7]!, 50);
    const minScore = top[3]!.score - 1e-6;
    const hits = small.search(vectors[7]!, 50, { minScore });
    expect(hits.map((h) => h.id)).toEqual(top.slice(0, 4).map((h) => h.id));
    expect(small.search(queries[0]!, 0)).toEqual([]);
    expect(HnswIndex.create({ dimension: D }).search(queries[0]!, 5)).toEqual([]);
  });

  it('rejects dimension mismatches with a typed error', () => {
    expect(() => hnsw.upsert('bad', new Float32Array(D - 1))).toThrow(DimensionMismatchError);
    expect(() => hnsw.search(new Array(D + 1).fill(1), 5)).toThrow(DimensionMismatchError);
    expect(hnsw.has('bad')).toBe(false);
  });
});
