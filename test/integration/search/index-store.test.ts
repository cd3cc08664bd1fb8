import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, s3 } from '../../../shared/platform/aws.js';
import { DynamoIndexStore, StaleIndexError } from '../../../shared/search/index-store.js';
import { s3Snapshots } from '../../../shared/search/snapshots.js';
import { LiveIndex } from '../../../shared/search/live-index.js';
import { SyncedIndex, type VectorChange } from '../../../shared/vectors/index.js';
import { resource } from '../../support/names.js';

/** The S3 + DynamoDB IndexStore against the emulators; each test has its own model namespace. */
const TABLE = resource('searchIndex');
const BUCKET = resource('searchSnapshots');
const D = 8;

function makeStore(o: { model?: string; now?: () => number; graceMs?: number } = {}) {
  return new DynamoIndexStore({ ddb: ddb(), objects: s3Snapshots(s3()), table: TABLE, bucket: BUCKET, model: o.model ?? `it-${randomUUID()}`, dimension: D, ...(o.now ? { now: o.now } : {}), ...(o.graceMs ? { graceMs: o.graceMs } : {}) });
}

/** A unit vector pointing mostly along axis i (so nearest-neighbour answers are obvious). */
const axis = (i: number, jitter = 0) => Array.from({ length: D }, (_, j) => (j === i % D ? 1 : jitter * ((j * 7 + i) % 5) / 10));
const upsert = (id: string, v: number[]): VectorChange => ({ op: 'upsert', id, vector: v });

async function reserveHole(store: DynamoIndexStore) {
  await ddb().send(new UpdateCommand({ TableName: TABLE, Key: { pk: `head#${store.model}`, sk: 0 }, UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'next' }, ExpressionAttributeValues: { ':one': 1 } }));
}

describe('DynamoIndexStore', () => {
  it('appends changes under increasing versions and replays them in order, vectors intact', async () => {
    const store = makeStore();
    const v1 = await store.append([upsert('a', axis(0)), upsert('b', axis(1))]);
    const v2 = await store.append([{ op: 'remove', id: 'a' }]);
    expect(v1).toBe(2);
    expect(v2).toBe(3);
    const changes = await store.changesSince(0);
    expect(changes.map((c) => [c.version, c.op, c.id])).toEqual([[1, 'upsert', 'a'], [2, 'upsert', 'b'], [3, 'remove', 'a']]);
    expect(Array.from((changes[1] as { vector: Float32Array }).vector)).toEqual(axis(1));
    expect(await store.changesSince(2)).toHaveLength(1);
    expect(await store.changesSince(0, 2)).toHaveLength(2);
  });

  it('stops at a hole a writer may still fill, and skips it once it is dead', async () => {
    let now = Date.now();
    const store = makeStore({ now: () => now, graceMs: 60_000 });
    await store.append([upsert('a', axis(0))]); // 1
    await reserveHole(store); // 2: reserved, never written (a writer that died)
    await store.append([upsert('c', axis(2))]); // 3
    expect((await store.changesSince(0)).map((c) => c.version)).toEqual([1]);
    now += 61_000;
    expect((await store.changesSince(0)).map((c) => c.version)).toEqual([1, 3]);
  });

  it('snapshots to S3, truncates the log, and tells a reader left behind to reload', async () => {
    const store = makeStore();
    await store.append([upsert('a', axis(0)), upsert('b', axis(1)), upsert('c', axis(2))]);
    const behind = await SyncedIndex.open(store, { dimension: D, kind: 'exact' });
    await store.append([upsert('d', axis(3))]);
    const writer = await SyncedIndex.open(store, { dimension: D, kind: 'exact' });
    const snap = await writer.checkpoint();
    expect(snap.version).toBe(4);
    expect(await store.readLog(0)).toEqual([]);
    expect((await store.head()).truncatedTo).toBe(4);

    await expect(behind.refresh()).rejects.toBeInstanceOf(StaleIndexError);
    await store.append([upsert('e', axis(4))]);
    const fresh = await SyncedIndex.open(store, { dimension: D, kind: 'exact' });
    expect(fresh.version).toBe(5);
    expect(fresh.index.size).toBe(5);
    expect(fresh.index.search(axis(3), 1)[0]?.id).toBe('d');
  });

  it('keeps the newest snapshot: an older one is refused, and only current + previous objects remain', async () => {
    const store = makeStore();
    const synced = await SyncedIndex.open(store, { dimension: D, kind: 'exact' });
    for (let i = 0; i < 3; i++) {
      await store.append([upsert(`x${i}`, axis(i))]);
      await synced.refresh();
      await synced.checkpoint();
    }
    await store.putSnapshot({ version: 1, bytes: new Uint8Array([1, 2, 3]) });
    expect((await store.head()).snapshotVersion).toBe(3);
    const objects = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `index/${encodeURIComponent(store.model)}/` }));
    expect(objects.KeyCount).toBe(2);
    expect((await store.getSnapshot())?.version).toBe(3);
  });

  it('a snapshot larger than one part goes up multipart and comes back by parallel ranged GETs, byte for byte', async () => {
    const store = makeStore();
    const bytes = new Uint8Array(19 * 1024 * 1024 + 12345);
    for (let i = 0; i < bytes.length; i += 4096) bytes[i] = (i / 4096) & 0xff;
    bytes[bytes.length - 1] = 42;
    await store.putSnapshot({ version: 9, bytes });
    const back = await store.getSnapshot();
    expect(back?.version).toBe(9);
    expect(back?.bytes.byteLength).toBe(bytes.byteLength);
    expect(Buffer.compare(Buffer.from(back!.bytes), Buffer.from(bytes))).toBe(0);
  });

  it('LiveIndex: refreshes per call and reopens transparently after a truncation', async () => {
    const store = makeStore();
    await store.append([upsert('a', axis(0))]);
    const live = new LiveIndex(store, { dimension: D, kind: 'exact' });
    expect((await live.current()).size).toBe(1);
    await store.append([upsert('b', axis(1))]);
    expect((await live.current()).size).toBe(2);
    // Someone else checkpoints past our position, and more arrives.
    await store.append([upsert('c', axis(2))]);
    await (await SyncedIndex.open(store, { dimension: D, kind: 'exact' })).checkpoint();
    await store.append([{ op: 'remove', id: 'a' }]);
    const idx = await live.current();
    expect(idx.size).toBe(2);
    expect(idx.has('a')).toBe(false);
    expect(live.state()).toMatchObject({ version: 4, snapshotVersion: 3 });
  });

  it('LiveIndex: a warm exact index that outgrew exact search swaps to the HNSW snapshot a checkpoint wrote', async () => {
    const store = makeStore();
    await store.append(Array.from({ length: 6 }, (_, i) => upsert(`v${i}`, axis(i, 1))));
    const opts = { dimension: D, kind: 'auto' as const, exactMaxSize: 4, snapshotCheckMs: 0 };
    const live = new LiveIndex(store, opts);
    expect((await live.current()).kind).toBe('exact'); // no snapshot yet: replayed into an exact index
    await (await SyncedIndex.open(store, opts)).checkpoint(); // 6 > 4: converted to HNSW
    await live.current(); // notices the better snapshot, loads it in the background
    await live.settled();
    const idx = await live.current();
    expect(idx.kind).toBe('hnsw');
    expect(idx.size).toBe(6);
    expect(live.state()).toMatchObject({ kind: 'hnsw', snapshotVersion: 6 });
  });

  it('concurrent appenders and a reader converge on the same index', async () => {
    const store = makeStore();
    const reader = new LiveIndex(store, { dimension: D, kind: 'exact' });
    await reader.current();
    const writers = Array.from({ length: 4 }, (_, w) => (async () => {
      for (let i = 0; i < 15; i++) await store.append([upsert(`w${w}-${i}`, axis(w * 15 + i, 1)), ...(i % 5 === 4 ? [{ op: 'remove' as const, id: `w${w}-${i - 1}` }] : [])]);
    })());
    let reads = 0;
    const done = Promise.all(writers);
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      await reader.current();
      reads++;
    }
    await done;
    const idx = await reader.current();
    expect(reads).toBeGreaterThan(0);
    expect(idx.size).toBe(4 * 15 - 4 * 3);
    const fresh = await SyncedIndex.open(store, { dimension: D, kind: 'exact' });
    expect(fresh.version).toBe(reader.state()!.version);
    for (let w = 0; w < 4; w++) {
      expect(idx.has(`w${w}-3`)).toBe(false);
      expect(idx.has(`w${w}-4`)).toBe(true);
    }
  });
});
