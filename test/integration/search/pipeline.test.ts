import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ddb, s3 } from '../../../shared/platform/aws.js';
import { FeaturesRepo } from '../../../shared/search/features.js';
import { DynamoIndexStore } from '../../../shared/search/index-store.js';
import { s3Snapshots } from '../../../shared/search/snapshots.js';
import { JobsRepo } from '../../../shared/search/jobs.js';
import { faceId, type Box } from '../../../shared/search/records.js';
import { BusyError, ImageProblem, processImage, removeImage, type ExtractedFaces, type PipelineDeps } from '../../../shared/search/pipeline.js';
import { headImage, loadVersion } from '../../../shared/search/source.js';
import { SyncedIndex } from '../../../shared/vectors/index.js';
import { resource } from '../../support/names.js';

/**
 * The worker's per-image logic against DynamoDB Local + fauxqs with a fake model: "images" are JSON
 * naming how many faces they hold; "NOPE" is not an image. Real S3 objects, features records, index log.
 */
const BUCKET = resource('searchImages');
const D = 8;
const repo = new FeaturesRepo(resource('features'), ddb());
const jobs = new JobsRepo(resource('searchJobs'), ddb());

function fakeModel(delayMs = 0) {
  const runs: string[] = [];
  const extract = async (bytes: Uint8Array): Promise<ExtractedFaces> => {
    const text = Buffer.from(bytes).toString();
    runs.push(text);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    if (text.startsWith('NOPE')) throw new ImageProblem('not_an_image: fake');
    const { faces, seed } = JSON.parse(text) as { faces: number; seed: number };
    return {
      faces: Array.from({ length: faces }, (_, i) => ({
        box: [i * 10, 0, 10, 10] as Box,
        score: 0.9 - i / 100,
        embedding: Array.from({ length: D }, (_, j) => (j === (seed + i) % D ? 1 : 0.01 * (j + 1))),
      })),
      width: 100,
      height: 100,
      ms: 1,
    };
  };
  return { runs, extract };
}

function setup(o: { delayMs?: number; leaseMs?: number } = {}) {
  const model = `it-${randomUUID()}`;
  const store = new DynamoIndexStore({ ddb: ddb(), objects: s3Snapshots(s3()), table: resource('searchIndex'), bucket: resource('searchSnapshots'), model, dimension: D });
  const fake = fakeModel(o.delayMs);
  const deps = (owner: string): PipelineDeps => ({
    repo,
    store,
    model,
    dimension: D,
    head: (k) => headImage(s3(), BUCKET, k),
    load: (k, etag) => loadVersion(s3(), BUCKET, k, etag),
    extract: fake.extract,
    maxBytes: 1000,
    leaseMs: () => o.leaseMs ?? 30_000,
    owner,
  });
  const index = async () => (await SyncedIndex.open(store, { dimension: D, kind: 'exact' })).index;
  return { model, store, fake, deps, index };
}

const prefix = `it-search/${randomUUID().slice(0, 8)}`;
async function put(name: string, body: string): Promise<string> {
  const key = `${prefix}/${name}`;
  await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return key;
}
const image = (faces: number, seed = 0) => JSON.stringify({ faces, seed });

describe('processImage', () => {
  it('extracts and indexes once; a duplicate delivery does nothing', async () => {
    const t = setup();
    const key = await put('a.json', image(2, 1));
    expect(await processImage(t.deps('w1'), key)).toMatchObject({ status: 'indexed', faces: 2, extracted: true });
    expect(await processImage(t.deps('w2'), key)).toMatchObject({ status: 'indexed', faces: 2, extracted: false });
    expect(t.fake.runs).toHaveLength(1);
    const rec = await repo.get(key, t.model);
    expect(rec).toMatchObject({ status: 'indexed', extractions: 1, faces: [{ box: [0, 0, 10, 10] }, { box: [10, 0, 10, 10] }] });
    expect(rec?.owner).toBeUndefined();
    expect((await t.store.readLog(0)).map((c) => c.id)).toEqual([faceId(key, 0), faceId(key, 1)]);
    const idx = await t.index();
    expect(idx.search(Array.from({ length: D }, (_, j) => (j === 2 ? 1 : 0)), 1)[0]?.id).toBe(faceId(key, 1));
  });

  it('two concurrent workers on one image: one runs the model, the other backs off, then finds it done', async () => {
    const t = setup({ delayMs: 400 });
    const key = await put('b.json', image(3));
    const results = await Promise.allSettled([processImage(t.deps('w1'), key), processImage(t.deps('w2'), key)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const busy = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(busy).toHaveLength(1);
    expect((busy[0] as PromiseRejectedResult).reason).toBeInstanceOf(BusyError);
    // SQS redelivers the loser later:
    expect(await processImage(t.deps('w2'), key)).toMatchObject({ status: 'indexed', extracted: false });
    expect(t.fake.runs).toHaveLength(1);
    expect(await t.store.readLog(0)).toHaveLength(3);
    expect((await repo.forImage(key)).filter((r) => r.model === t.model)).toHaveLength(1);
  });

  it('not an image: recorded as failed once, not retried on redelivery; a missing object fails without a record', async () => {
    const t = setup();
    const key = await put('c.json', 'NOPE');
    expect(await processImage(t.deps('w1'), key)).toMatchObject({ status: 'failed', reason: 'not_an_image: fake' });
    expect(await processImage(t.deps('w1'), key)).toMatchObject({ status: 'failed' });
    expect(t.fake.runs).toHaveLength(1);
    const big = await put('big.json', 'x'.repeat(2000));
    expect(await processImage(t.deps('w1'), big)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^too_large/) });
    expect(await processImage(t.deps('w1'), `${prefix}/missing.json`)).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^missing/) });
    expect(await repo.get(`${prefix}/missing.json`, t.model)).toBeUndefined();
  });

  it('new content under the same key is extracted again; faces it no longer has leave the index', async () => {
    const t = setup();
    const key = await put('d.json', image(3, 0));
    await processImage(t.deps('w1'), key);
    await new Promise((r) => setTimeout(r, 1100)); // S3 LastModified has 1 s resolution
    await put('d.json', image(1, 5));
    expect(await processImage(t.deps('w1'), key)).toMatchObject({ status: 'indexed', faces: 1, extracted: true });
    const idx = await t.index();
    expect(idx.size).toBe(1);
    expect(idx.has(faceId(key, 0))).toBe(true);
    expect(idx.search(Array.from({ length: D }, (_, j) => (j === 5 ? 1 : 0)), 1)[0]?.score).toBeGreaterThan(0.99);
  });

  it('a worker that died after extracting: the next one only re-appends (no second model run)', async () => {
    const t = setup({ leaseMs: 1 });
    const key = await put('e.json', image(2));
    // Simulate the crash: claim + extract + save, then stop before the log append.
    const obj = await headImage(s3(), BUCKET, key);
    const claimed = await repo.claim(key, t.model, undefined, { mode: 'extract', obj, owner: 'dead', leaseUntil: Date.now() + 1, now: Date.now() });
    const found = await t.fake.extract(await loadVersion(s3(), BUCKET, key, obj.etag));
    const { encodeEmbeddings } = await import('../../../shared/search/records.js');
    await repo.saveExtracted(claimed, { faces: found.faces.map((f) => ({ box: f.box, score: f.score })), embeddings: encodeEmbeddings(found.faces.map((f) => f.embedding), D), dimension: D, width: 1, height: 1, ms: 1, now: Date.now() });
    await new Promise((r) => setTimeout(r, 20));
    expect(await processImage(t.deps('w2'), key)).toMatchObject({ status: 'indexed', faces: 2, extracted: false });
    expect(t.fake.runs).toHaveLength(1);
    expect((await t.index()).size).toBe(2);
  });

  it('removeImage takes every face out; a worker that loses its record mid-way repairs the log', async () => {
    const t = setup({ delayMs: 300 });
    const key = await put('f.json', image(2));
    await processImage(t.deps('w1'), key);
    expect(await removeImage(repo, () => t.store, key)).toEqual({ found: true, faces: 2 });
    expect((await t.index()).size).toBe(0);
    expect(await removeImage(repo, () => t.store, key)).toEqual({ found: false, faces: 0 });

    // Deleted while a worker is extracting: the worker's next write fails and it leaves nothing behind.
    const racing = processImage(t.deps('w1'), key);
    await new Promise((r) => setTimeout(r, 150));
    await removeImage(repo, () => t.store, key);
    expect(await racing).toMatchObject({ status: 'failed', reason: 'removed while being indexed' });
    expect((await t.index()).size).toBe(0);
  });
});

describe('JobsRepo', () => {
  it('counts each task once across duplicate and concurrent deliveries, completes with a TTL', async () => {
    const jobId = `it-${randomUUID()}`;
    await jobs.create({ jobId, total: 3, now: Date.now() });
    await jobs.markRunning(jobId);
    const results = await Promise.all([
      jobs.recordTask(jobId, 'k1', { ok: true }, Date.now()),
      jobs.recordTask(jobId, 'k1', { ok: true }, Date.now()),
      jobs.recordTask(jobId, 'k2', { ok: false, reason: 'not_an_image' }, Date.now()),
    ]);
    expect(results.filter(Boolean)).toHaveLength(2);
    expect(await jobs.get(jobId)).toMatchObject({ done: 1, failed: 1, remaining: 1, state: 'running' });
    await jobs.recordTask(jobId, 'k3', { ok: true }, Date.now());
    await jobs.recordTask(jobId, 'k3', { ok: true }, Date.now());
    const job = await jobs.get(jobId);
    expect(job).toMatchObject({ total: 3, done: 2, failed: 1, remaining: 0, state: 'completed' });
    expect(job!.expiresAt * 1000 - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(job!.expiresAt * 1000 - Date.now()).toBeLessThan(25 * 3600_000);
  });

  it('a task counted before the job was marked running still completes it', async () => {
    const jobId = `it-${randomUUID()}`;
    await jobs.create({ jobId, total: 1, now: Date.now() });
    await jobs.recordTask(jobId, 'k1', { ok: true }, Date.now());
    expect((await jobs.get(jobId))?.state).toBe('queuing');
    await jobs.markRunning(jobId);
    expect((await jobs.get(jobId))?.state).toBe('completed');
  });
});
