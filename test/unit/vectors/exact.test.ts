import { describe, expect, it } from 'vitest';
import {
  CorruptIndexError,
  DimensionMismatchError,
  ExactIndex,
  InvalidVectorError,
  loadIndex,
} from '../../../shared/vectors/index.js';
import { naiveTopK, randomUnitVectors, rng } from './helpers.js';

const D = 64;

function populated(count: number, seed = 1) {
  const vectors = randomUnitVectors(count, D, seed);
  const r = rng(seed + 1000);
  const truth = new Map<string, Float32Array>();
  const index = new ExactIndex({ dimension: D });
  vectors.forEach((v, i) => {
    // Feed un-normalised vectors: the index must normalise, the naive reference does not need to.
    const scaled = v.map((x) => x * (0.1 + 10 * r()));
    index.upsert(`img/${i}.jpg#0`, scaled);
    truth.set(`img/${i}.jpg#0`, scaled);
  });
  return { index, truth };
}

function expectSameHits(got: Array<{ id: string; score: number }>, want: Array<{ id: string; score: number }>) {
  expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
  got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]!.score, 5));
}

describe('ExactIndex', () => {
  it('matches a naive cosine top-k, best first', () => {
    const { index, truth } = populated(800);
    for (const q of randomUnitVectors(25, D, 99)) {
      const query = Array.from(q, (x) => x * 3); // plain number[] input, not unit length
      expectSameHits(index.search(query, 10), naiveTopK(truth, query, 10));
    }
  });

  it('handles k of 0, k larger than the index, and an empty index', () => {
    const { index, truth } = populated(7);
    const [q] = randomUnitVectors(1, D, 5);
    expect(index.search(q!, 0)).toEqual([]);
    expectSameHits(index.search(q!, 50), naiveTopK(truth, q!, 50));
    expect(new ExactIndex({ dimension: D }).search(q!, 10)).toEqual([]);
    expect(() => index.search(q!, -1)).toThrow(RangeError);
    expect(() => index.search(q!, 1.5)).toThrow(RangeError);
  });

  it('a vector is its own best match with score 1', () => {
    const { index, truth } = populated(200);
    const [id, v] = [...truth][123]!;
    const [top] = index.search(v, 1);
    expect(top!.id).toBe(id);
    expect(top!.score).toBeCloseTo(1, 5);
  });

  it('upsert replaces the vector of an existing id', () => {
    const { index, truth } = populated(100);
    const [replacement] = randomUnitVectors(1, D, 4242);
    index.upsert('img/5.jpg#0', replacement!);
    truth.set('img/5.jpg#0', replacement!);
    expect(index.size).toBe(100);
    expect(index.search(replacement!, 1)[0]).toMatchObject({ id: 'img/5.jpg#0' });
    for (const q of randomUnitVectors(10, D, 7)) expectSameHits(index.search(q, 10), naiveTopK(truth, q, 10));
  });

  it('remove then search never returns the removed id, and the rest stay correct', () => {
    const { index, truth } = populated(500);
    const r = rng(3);
    const removed: Array<[string, Float32Array]> = [];
    for (const [id, v] of [...truth]) {
      if (r() < 0.4) {
        expect(index.remove(id)).toBe(true);
        truth.delete(id);
        removed.push([id, v]);
      }
    }
    expect(index.size).toBe(truth.size);
    expect(index.remove(removed[0]![0])).toBe(false);
    for (const [id, v] of removed) {
      const hits = index.search(v, 20);
      expect(hits.map((h) => h.id)).not.toContain(id);
    }
    for (const q of randomUnitVectors(10, D, 8)) expectSameHits(index.search(q, 10), naiveTopK(truth, q, 10));
  });

  it('survives growing and shrinking capacity', () => {
    const index = new ExactIndex({ dimension: D });
    const vectors = randomUnitVectors(300, D, 11);
    vectors.forEach((v, i) => index.upsert(`a${i}`, v));
    for (let i = 0; i < 290; i++) index.remove(`a${i}`);
    expect(index.size).toBe(10);
    expect(index.search(vectors[295]!, 1)[0]!.id).toBe('a295');
    expect(index.has('a0')).toBe(false);
    expect(index.has('a299')).toBe(true);
  });

  it('minScore drops weaker hits', () => {
    const { index, truth } = populated(300);
    const q = [...truth.values()][0]!;
    const all = naiveTopK(truth, q, 300);
    const minScore = all[4]!.score - 1e-6;
    const hits = index.search(q, 10, { minScore });
    expect(hits).toHaveLength(5);
    expect(hits.every((h) => h.score >= minScore)).toBe(true);
    expect(index.search(q, 10, { minScore: 1.01 })).toEqual([]);
  });

  it('rejects wrong dimensions with a typed error, and bad vectors without side effects', () => {
    const { index, truth } = populated(10);
    const err = (() => {
      try {
        index.upsert('x', new Float32Array(D + 1));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DimensionMismatchError);
    expect(err).toMatchObject({ expected: D, actual: D + 1 });
    expect(() => index.search(new Float32Array(3), 5)).toThrow(DimensionMismatchError);
    expect(() => index.upsert('zero', new Float32Array(D))).toThrow(InvalidVectorError);
    const nan = new Float32Array(D).fill(1);
    nan[3] = NaN;
    expect(() => index.upsert('img/1.jpg#0', nan)).toThrow(InvalidVectorError);
    expect(index.size).toBe(10);
    expect(index.has('zero')).toBe(false);
    const [top] = index.search(truth.get('img/1.jpg#0')!, 1);
    expect(top).toMatchObject({ id: 'img/1.jpg#0' });
    expect(top!.score).toBeCloseTo(1, 5);
  });

  it('serialize → load gives the same results, including unicode ids and misaligned buffers', async () => {
    const { index, truth } = populated(400);
    index.upsert('caméra/日本#2', randomUnitVectors(1, D, 77)[0]!);
    index.remove('img/10.jpg#0');
    const bytes = index.serialize();
    // Simulate a body read into a larger buffer at an odd offset.
    const padded = new Uint8Array(bytes.byteLength + 3);
    padded.set(bytes, 3);
    for (const copy of [await loadIndex(bytes), await loadIndex(padded.subarray(3))]) {
      expect(copy.kind).toBe('exact');
      expect(copy.size).toBe(index.size);
      expect(copy.has('caméra/日本#2')).toBe(true);
      for (const q of randomUnitVectors(10, D, 9)) expect(copy.search(q, 10)).toEqual(index.search(q, 10));
      copy.upsert('after-load', [...truth.values()][0]!); // still mutable
      expect(copy.size).toBe(index.size + 1);
    }
  });

  it('rejects corrupt bytes with CorruptIndexError', async () => {
    const bytes = populated(20).index.serialize();
    await expect(loadIndex(bytes.subarray(0, bytes.byteLength - 4))).rejects.toThrow(CorruptIndexError);
    await expect(loadIndex(bytes.subarray(0, 5))).rejects.toThrow(CorruptIndexError);
    const bad = bytes.slice();
    bad[0] = 0;
    await expect(loadIndex(bad)).rejects.toThrow(CorruptIndexError);
  });
});
