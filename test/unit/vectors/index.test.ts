import { describe, expect, it } from 'vitest';
import {
  AUTO_EXACT_MAX_SIZE,
  CorruptIndexError,
  DimensionMismatchError,
  ExactIndex,
  HnswIndex,
  InvalidVectorError,
  MemoryIndexStore,
  SyncedIndex,
  VectorIndexError,
  applyChanges,
  autoExactMaxSize,
  convertIndex,
  createIndex,
  loadIndex,
  resolveKind,
  type LoggedChange,
} from '../../../shared/vectors/index.js';
import { randomUnitVectors } from './helpers.js';

const D = 32;

describe('createIndex / loadIndex', () => {
  it('creates the requested kind; auto switches to hnsw above the exact threshold', () => {
    expect(createIndex({ dimension: D, kind: 'exact' })).toBeInstanceOf(ExactIndex);
    expect(createIndex({ dimension: D, kind: 'hnsw' })).toBeInstanceOf(HnswIndex);
    expect(createIndex({ dimension: D, kind: 'auto' })).toBeInstanceOf(ExactIndex);
    expect(createIndex({ dimension: D, kind: 'auto', expectedSize: 10, exactMaxSize: 5 })).toBeInstanceOf(HnswIndex);
    expect(resolveKind({ kind: 'auto', dimension: 1024, expectedSize: AUTO_EXACT_MAX_SIZE })).toBe('exact');
    expect(resolveKind({ kind: 'auto', dimension: 1024, expectedSize: AUTO_EXACT_MAX_SIZE + 1 })).toBe('hnsw');
    // Exact cost is size × dimension, so smaller embeddings stay exact for longer.
    expect(autoExactMaxSize(512)).toBe(2 * AUTO_EXACT_MAX_SIZE);
    expect(() => createIndex({ dimension: 0, kind: 'exact' })).toThrow(RangeError);
  });

  it('loadIndex restores either kind from its bytes and rejects anything else', async () => {
    const vectors = randomUnitVectors(50, D, 1);
    for (const kind of ['exact', 'hnsw'] as const) {
      const index = createIndex({ dimension: D, kind });
      vectors.forEach((v, i) => index.upsert(`id${i}`, v));
      const copy = await loadIndex(await index.serialize());
      expect(copy.kind).toBe(kind);
      expect(copy.dimension).toBe(D);
      expect(copy.search(vectors[3]!, 5)).toEqual(index.search(vectors[3]!, 5));
    }
    await expect(loadIndex(new TextEncoder().encode('definitely not an index'))).rejects.toThrow(CorruptIndexError);
  });

  it('convertIndex copies every entry into the other kind', () => {
    const vectors = randomUnitVectors(200, D, 2);
    const exact = createIndex({ dimension: D, kind: 'exact' });
    vectors.forEach((v, i) => exact.upsert(`id${i}`, v));
    const hnsw = convertIndex(exact, { kind: 'hnsw' });
    expect(hnsw.kind).toBe('hnsw');
    expect(hnsw.size).toBe(200);
    expect(hnsw.search(vectors[150]!, 1)[0]).toMatchObject({ id: 'id150' });
    const back = convertIndex(hnsw, { kind: 'exact' });
    expect(back.search(vectors[7]!, 10)).toEqual(exact.search(vectors[7]!, 10).map((h) => ({ ...h, score: expect.closeTo(h.score, 5) })));
  });
});

describe('applyChanges', () => {
  const [a, b] = randomUnitVectors(2, D, 3);
  const log: LoggedChange[] = [
    { version: 3, op: 'upsert', id: 'a', vector: a! },
    { version: 5, op: 'upsert', id: 'b', vector: b! },
    { version: 9, op: 'remove', id: 'a' },
  ];

  it('applies changes after `since` in order, skipping ones already applied', () => {
    const index = createIndex({ dimension: D, kind: 'exact' });
    expect(applyChanges(index, log.slice(0, 2), 0)).toMatchObject({ version: 5, applied: 2 });
    // Overlapping replay (e.g. a retried page) is harmless.
    expect(applyChanges(index, log, 5)).toMatchObject({ version: 9, applied: 1 });
    expect(index.has('a')).toBe(false);
    expect(index.has('b')).toBe(true);
  });

  it('reports unusable vectors instead of wedging, and refuses an out-of-order log', () => {
    const index = createIndex({ dimension: D, kind: 'exact' });
    const result = applyChanges(
      index,
      [
        { version: 1, op: 'upsert', id: 'short', vector: [1, 2, 3] },
        { version: 2, op: 'upsert', id: 'zero', vector: new Float32Array(D) },
        { version: 3, op: 'upsert', id: 'ok', vector: a! },
      ],
      0,
    );
    expect(result.version).toBe(3);
    expect(result.applied).toBe(1);
    expect(result.rejected.map((r) => [r.id, r.error.constructor])).toEqual([
      ['short', DimensionMismatchError],
      ['zero', InvalidVectorError],
    ]);
    expect(() => applyChanges(index, [log[1]!, log[0]!], 0)).toThrow(VectorIndexError);
  });
});

describe('SyncedIndex over MemoryIndexStore', () => {
  const vectors = randomUnitVectors(40, D, 4);

  it('replays the changelog, snapshots, and a cold reader catches up from snapshot + log', async () => {
    const store = new MemoryIndexStore();
    await store.append(vectors.slice(0, 20).map((vector, i) => ({ op: 'upsert' as const, id: `img/${i}#0`, vector })));

    const warm = await SyncedIndex.open(store, { dimension: D, kind: 'auto', pageSize: 7 });
    expect(warm.index.size).toBe(20);
    expect(warm.version).toBe(20);

    await store.append([{ op: 'remove', id: 'img/3#0' }, { op: 'upsert', id: 'img/20#0', vector: vectors[20]! }]);
    expect(await warm.refresh()).toMatchObject({ version: 22, applied: 2, rejected: [] });
    expect(await warm.refresh()).toMatchObject({ version: 22, applied: 0 });
    expect(warm.index.has('img/3#0')).toBe(false);

    const snapshot = await warm.checkpoint();
    expect(snapshot.version).toBe(22);
    expect(await store.changesSince(0)).toEqual([]); // truncated behind the snapshot

    await store.append([{ op: 'upsert', id: 'img/21#0', vector: vectors[21]! }]);
    const cold = await SyncedIndex.open(store, { dimension: D, kind: 'auto' });
    expect(cold.version).toBe(23);
    expect(cold.index.size).toBe(21);
    await warm.refresh();
    for (const q of vectors.slice(30)) expect(cold.index.search(q, 5)).toEqual(warm.index.search(q, 5));
  });

  it('checkpoint upgrades an outgrown exact index to hnsw when kind is auto', async () => {
    const store = new MemoryIndexStore();
    const synced = await SyncedIndex.open(store, { dimension: D, kind: 'auto', exactMaxSize: 10 });
    expect(synced.index.kind).toBe('exact');
    await store.append(vectors.map((vector, i) => ({ op: 'upsert' as const, id: `f${i}`, vector })));
    await synced.refresh();
    await synced.checkpoint();
    expect(synced.index.kind).toBe('hnsw');
    const reloaded = await SyncedIndex.open(store, { dimension: D, kind: 'auto', exactMaxSize: 10 });
    expect(reloaded.index.kind).toBe('hnsw');
    expect(reloaded.index.search(vectors[9]!, 1)[0]).toMatchObject({ id: 'f9' });
  });

  it('checkpoint compacts an hnsw index carrying many tombstones', async () => {
    const store = new MemoryIndexStore();
    const synced = await SyncedIndex.open(store, { dimension: D, kind: 'hnsw' });
    await store.append(vectors.map((vector, i) => ({ op: 'upsert' as const, id: `f${i}`, vector })));
    await store.append(vectors.slice(0, 15).map((_, i) => ({ op: 'remove' as const, id: `f${i}` })));
    await synced.refresh();
    expect((synced.index as HnswIndex).deletedFraction).toBeCloseTo(15 / 40, 6);
    await synced.checkpoint();
    expect((synced.index as HnswIndex).deletedFraction).toBe(0);
    expect(synced.index.size).toBe(25);
    const reloaded = await SyncedIndex.open(store, { dimension: D, kind: 'hnsw' });
    expect((reloaded.index as HnswIndex).deletedFraction).toBe(0);
    expect(reloaded.index.search(vectors[20]!, 1)[0]).toMatchObject({ id: 'f20' });
  });

  it('refuses a snapshot of another dimension (e.g. after a model change)', async () => {
    const store = new MemoryIndexStore();
    await store.append([{ op: 'upsert', id: 'x', vector: vectors[0]! }]);
    await (await SyncedIndex.open(store, { dimension: D, kind: 'exact' })).checkpoint();
    await expect(SyncedIndex.open(store, { dimension: 2 * D, kind: 'exact' })).rejects.toThrow(DimensionMismatchError);
  });

  it('the store copies appended vectors and never regresses its snapshot', async () => {
    const store = new MemoryIndexStore();
    const v = Float32Array.from(vectors[0]!);
    await store.append([{ op: 'upsert', id: 'x', vector: v }]);
    v.fill(0);
    const [logged] = await store.changesSince(0);
    expect(logged).toMatchObject({ op: 'upsert', version: 1 });
    expect(Array.from((logged as { vector: Float32Array }).vector)).toEqual(Array.from(vectors[0]!));
    await store.putSnapshot({ version: 5, bytes: new Uint8Array([1]) });
    await store.putSnapshot({ version: 4, bytes: new Uint8Array([2]) });
    expect(await store.getSnapshot()).toMatchObject({ version: 5 });
  });
});
