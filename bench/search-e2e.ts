/**
 * Search pipeline figures (the vector-index figures — HNSW vs exact, recall@10, p50/p99 at 100k — are
 * bench/search.ts's). On DynamoDB Local + fauxqs, in this process:
 * - worker: ms per image through the whole worker path (S3 HEAD/GET, face model, features record,
 *   index log append), cold model load separately;
 * - index log: append rate, cold open (replay) time, and the per-request refresh when nothing changed;
 * - snapshot: N synthetic 1024-d faces written to S3 and loaded back (what a cold search container does);
 * - query: refresh + k=10 search + box lookup, as POST /search does after the query's embedding;
 * - batch: POST /features/batch's handler queuing 10,000 tasks (job item + SQS fan-out).
 *
 *   npx tsx bench/search-e2e.ts [--reps 5] [--log 2000] [--snapshot 100000] [--kind exact|hnsw] [--json]
 * bench/run.ts runs benchSearch (bench/search.ts); this file exports benchSearchPipeline().
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startCloud } from '../infra/local/stack.js';
import { freePort } from '../test/support/ports.js';
import { isMain, machine, percentile, printTable } from './util.js';

const FIXTURES = ['messi5.jpg', 'basketball1.png', 'basketball2.png'];
const D = 1024;

export interface PipelineBenchOptions {
  /** Rounds over the three fixtures for the worker figures. */
  reps: number;
  /** Log entries for the append/replay figures. */
  logSize: number;
  /** Faces in the S3 snapshot. */
  snapshotSize: number;
  snapshotKind: 'exact' | 'hnsw';
  log: (line: string) => void;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const stats = (ms: number[]) => ({ n: ms.length, p50: round(percentile(ms, 50)), p99: round(percentile(ms, 99)), mean: round(ms.reduce((s, v) => s + v, 0) / ms.length) });

/** Seeded unit vectors (mulberry32 + Box–Muller): reproducible runs. */
function vectors(n: number, seed: number): Float32Array[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => {
    const v = new Float32Array(D);
    let sq = 0;
    for (let i = 0; i < D; i++) {
      const x = Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
      v[i] = x;
      sq += x * x;
    }
    const inv = 1 / Math.sqrt(sq);
    for (let i = 0; i < D; i++) v[i]! *= inv;
    return v;
  });
}

export async function benchSearchPipeline(options: Partial<PipelineBenchOptions> = {}) {
  const o: PipelineBenchOptions = { reps: 5, logSize: 2000, snapshotSize: 100_000, snapshotKind: 'exact', log: (l) => console.error(l), ...options };
  const cloud = await startCloud({ dynamoPort: await freePort(), fauxqsPort: await freePort() });
  // shared/platform/aws.ts builds its clients from the standard variables on first use.
  Object.assign(process.env, cloud.env);
  try {
    const [{ ddb, s3 }, { FeaturesRepo }, { DynamoIndexStore }, { s3Snapshots }, { LiveIndex }, { processImage }, source, vision, vectorsMod] = await Promise.all([
      import('../shared/platform/aws.js'),
      import('../shared/search/features.js'),
      import('../shared/search/index-store.js'),
      import('../shared/search/snapshots.js'),
      import('../shared/search/live-index.js'),
      import('../shared/search/pipeline.js'),
      import('../shared/search/source.js'),
      import('../shared/search/vision.js'),
      import('../shared/vectors/index.js'),
    ]);
    const names = {
      images: cloud.provisioned.buckets.ImagesBucket!.name,
      features: cloud.provisioned.tables.FeaturesTable!.name,
      indexTable: cloud.provisioned.tables.SearchIndexTable!.name,
      indexBucket: cloud.provisioned.buckets.SearchIndexBucket!.name,
    };
    const repo = new FeaturesRepo(names.features, ddb());
    const storeFor = (model: string) => new DynamoIndexStore({ ddb: ddb(), objects: s3Snapshots(s3()), table: names.indexTable, bucket: names.indexBucket, model, dimension: D });

    // --- worker path, real model --------------------------------------------------------------
    o.log('worker: loading the face model…');
    let t = performance.now();
    await vision.warmModel();
    const modelLoadMs = performance.now() - t;
    const images = await Promise.all(FIXTURES.map((f) => readFile(fileURLToPath(new URL(`../test/fixtures/${f}`, import.meta.url)))));
    const workerStore = storeFor(`bench-${randomUUID()}`);
    let extractMs: number[] = [];
    const deps = {
      repo,
      store: workerStore,
      model: workerStore.model,
      dimension: D,
      head: (k: string) => source.headImage(s3(), names.images, k),
      load: (k: string, etag: string) => source.loadVersion(s3(), names.images, k, etag),
      extract: async (bytes: Uint8Array) => {
        const r = await vision.extractFaces(bytes);
        extractMs.push(r.ms);
        return r;
      },
      maxBytes: 10 * 1024 * 1024,
      leaseMs: () => 120_000,
      owner: 'bench',
    };
    // First image: kernel warm-up, not counted.
    await s3().send(new PutObjectCommand({ Bucket: names.images, Key: 'bench/warm.jpg', Body: images[0] }));
    await processImage(deps, 'bench/warm.jpg');
    extractMs = [];
    const perImage: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < o.reps; r++) {
      for (const [i, img] of images.entries()) {
        const key = `bench/${r}/${FIXTURES[i]}`;
        await s3().send(new PutObjectCommand({ Bucket: names.images, Key: key, Body: img }));
        t = performance.now();
        const out = await processImage(deps, key);
        perImage.push(performance.now() - t);
        if (out.status !== 'indexed') throw new Error(`${key}: ${JSON.stringify(out)}`);
      }
    }
    const cpu = process.cpuUsage(cpu0);
    const worker = {
      model: vision.MODEL_ID,
      modelLoadMs: round(modelLoadMs),
      perImageMs: stats(perImage),
      modelMs: stats(extractMs),
      cpuMsPerImage: round((cpu.user + cpu.system) / 1000 / perImage.length),
      imagesPerSecond: round(1000 / (perImage.reduce((s, v) => s + v, 0) / perImage.length), 2),
    };
    o.log(`worker: ${JSON.stringify(worker)}`);

    // --- index log: append, cold replay, warm refresh ------------------------------------------
    const logStore = storeFor(`bench-${randomUUID()}`);
    const logVectors = vectors(o.logSize, 7);
    o.log(`log: appending ${o.logSize} faces (4 concurrent writers, one face per append, like workers)…`);
    t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < logVectors.length) {
        const i = next++;
        await logStore.append([{ op: 'upsert', id: `bench/log/${i}.jpg#0`, vector: logVectors[i]! }]);
      }
    }));
    const appendMs = performance.now() - t;
    t = performance.now();
    const live = new LiveIndex(logStore, { dimension: D, kind: 'auto' });
    const logIndex = await live.current();
    const replayMs = performance.now() - t;
    const refresh: number[] = [];
    for (let i = 0; i < 200; i++) {
      t = performance.now();
      await live.current();
      refresh.push(performance.now() - t);
    }
    const logFigures = {
      entries: o.logSize,
      appendPerSecond: Math.round(o.logSize / (appendMs / 1000)),
      coldReplayMs: round(replayMs),
      replayPerSecond: Math.round(o.logSize / (replayMs / 1000)),
      warmRefreshNoChangeMs: stats(refresh),
      kind: logIndex.kind,
    };
    o.log(`log: ${JSON.stringify(logFigures)}`);

    // --- query path on that index: refresh + search + box lookup --------------------------------
    // Features records for the hits' boxes (one face each).
    for (let i = 0; i < o.logSize; i += 25) {
      const { BatchWriteCommand } = await import('@aws-sdk/lib-dynamodb');
      await ddb().send(new BatchWriteCommand({ RequestItems: { [names.features]: logVectors.slice(i, i + 25).map((_, j) => ({ PutRequest: { Item: { imageKey: `bench/log/${i + j}.jpg`, model: logStore.model, status: 'indexed', faces: [{ box: [0, 0, 10, 10], score: 0.9 }], rev: 1 } } })) } }));
    }
    const queries = vectors(200, 99);
    const query: number[] = [];
    for (const q of queries) {
      t = performance.now();
      const idx = await live.current();
      const hits = idx.search(q, 10);
      await repo.facesOf(hits.map((h) => h.id.slice(0, h.id.lastIndexOf('#'))), logStore.model);
      query.push(performance.now() - t);
    }
    const queryFigures = { indexSize: logIndex.size, k: 10, ms: stats(query) };
    o.log(`query: ${JSON.stringify(queryFigures)}`);

    // --- snapshot through S3 ------------------------------------------------------------------
    o.log(`snapshot: building ${o.snapshotKind} over ${o.snapshotSize} faces…`);
    const snapStore = storeFor(`bench-${randomUUID()}`);
    const snapVectors = vectors(o.snapshotSize, 11);
    t = performance.now();
    const built = vectorsMod.createIndex({ dimension: D, kind: o.snapshotKind, expectedSize: o.snapshotSize });
    snapVectors.forEach((v, i) => built.upsert(`bench/snap/${i}.jpg#0`, v));
    const buildMs = performance.now() - t;
    t = performance.now();
    const bytes = await built.serialize();
    const serializeMs = performance.now() - t;
    t = performance.now();
    await snapStore.putSnapshot({ version: 0, bytes });
    const putMs = performance.now() - t;
    t = performance.now();
    const coldLive = new LiveIndex(snapStore, { dimension: D, kind: 'auto' });
    const loaded = await coldLive.current();
    const coldOpenMs = performance.now() - t;
    const search: number[] = [];
    for (const q of queries.slice(0, 100)) {
      t = performance.now();
      loaded.search(q, 10);
      search.push(performance.now() - t);
    }
    const snapshot = {
      faces: o.snapshotSize,
      kind: loaded.kind,
      buildMs: round(buildMs),
      serializeMs: round(serializeMs),
      sizeMb: round(bytes.byteLength / 2 ** 20),
      s3PutMs: round(putMs),
      coldOpenMs: round(coldOpenMs),
      searchMs: stats(search),
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    o.log(`snapshot: ${JSON.stringify(snapshot)}`);

    // --- batch fan-out: what POST /features/batch does for 10,000 keys ---------------------------
    process.env.SEARCH_JOBS_TABLE = cloud.provisioned.tables.SearchJobsTable!.name;
    process.env.SEARCH_EXTRACT_QUEUE = cloud.provisioned.queues.SearchExtractQueue!.name;
    process.env.IDS_TABLE = cloud.provisioned.tables.IdsTable!.name;
    process.env.API_KEYS = 'bench-key';
    const { handler: batchHandler } = await import('../functions/search/batch.js');
    const imageKeys = Array.from({ length: 10_000 }, (_, i) => `bench/batch/${i}.jpg`);
    t = performance.now();
    const res = (await batchHandler(
      { headers: { 'x-api-key': 'bench-key' }, body: JSON.stringify({ imageKeys }), isBase64Encoded: false, requestContext: { requestId: 'bench', http: { method: 'POST' } } } as never,
      { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30_000 } as never,
    )) as { statusCode: number };
    const batchFigures = { keys: imageKeys.length, status: res.statusCode, ms: Math.round(performance.now() - t) };
    o.log(`batch: ${JSON.stringify(batchFigures)}`);

    const result = { machine: machine(), worker, log: logFigures, query: queryFigures, snapshot, batch: batchFigures };
    printTable('search pipeline: worker (S3 + face model + features record + index log), per image', [{ ...worker, perImageMs: undefined, modelMs: undefined, 'p50 ms': worker.perImageMs.p50, 'p99 ms': worker.perImageMs.p99, 'model p50 ms': worker.modelMs.p50 }]);
    printTable('search pipeline: index log (DynamoDB Local)', [{ entries: logFigures.entries, 'append/s': logFigures.appendPerSecond, 'cold replay ms': logFigures.coldReplayMs, 'replay/s': logFigures.replayPerSecond, 'refresh p50 ms': logFigures.warmRefreshNoChangeMs.p50, 'refresh p99 ms': logFigures.warmRefreshNoChangeMs.p99, 'query p50 ms': queryFigures.ms.p50, 'query p99 ms': queryFigures.ms.p99 }]);
    printTable('search pipeline: S3 snapshot (fauxqs)', [{ ...snapshot, searchMs: undefined, 'search p50 ms': snapshot.searchMs.p50, 'search p99 ms': snapshot.searchMs.p99 }]);
    printTable('search pipeline: POST /features/batch handler (job + SQS fan-out, fauxqs)', [batchFigures]);
    return result;
  } finally {
    await cloud.emulators.stop();
  }
}

if (isMain(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const r = await benchSearchPipeline({
    ...(arg('reps') ? { reps: Number(arg('reps')) } : {}),
    ...(arg('log') ? { logSize: Number(arg('log')) } : {}),
    ...(arg('snapshot') ? { snapshotSize: Number(arg('snapshot')) } : {}),
    ...(arg('kind') ? { snapshotKind: arg('kind') as 'exact' | 'hnsw' } : {}),
  });
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
  process.exit(0);
}
