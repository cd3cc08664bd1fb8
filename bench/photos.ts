/**
 * Photo pipeline on the local stack (own stack on free ports, local file server and receiver):
 * - intake: POST /photos requests/s and p50/p99 latency (single announcements, then batches of 100);
 * - pipeline: photos/s through download → detect → report, and p50/p99 from POST to the report arriving;
 * - the detector alone (in this process), so the cost of everything around it is visible.
 * `npm run bench -- photos` or `npx tsx bench/photos.ts` (needs `npm run build`: the stack runs dist/).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startStack } from '../infra/local/stack.js';
import { detectPersons } from '../shared/vision/detect.js';
import { startPhotoPeers } from '../test/support/peers/photos.js';
import type { Received } from '../test/support/peers/receiver.js';
import { freePort } from '../test/support/ports.js';
import { isMain, percentile, printTable } from './util.js';

const KEY = 'local-dev-key';
const FIXTURES = ['messi5.jpg', 'basketball1.png', 'basketball2.png'];
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function post(url: string, body: unknown): Promise<{ status: number; json: any; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${url}/photos`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  return { status: res.status, json, ms: performance.now() - t };
}

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  }));
  return out;
}

export interface PhotosBenchOptions {
  intakeRequests?: number;
  intakeConcurrency?: number;
  batches?: number;
  pipelinePhotos?: number;
  detectorRuns?: number;
}

export async function benchPhotos(opts: PhotosBenchOptions = {}) {
  const intakeRequests = opts.intakeRequests ?? 500;
  const concurrency = opts.intakeConcurrency ?? 8;
  const batches = opts.batches ?? 10;
  const pipelinePhotos = opts.pipelinePhotos ?? 30;
  const detectorRuns = opts.detectorRuns ?? 10;
  // A photo whose analysis dies with its worker (locally: many workers loading the model at once) waits
  // for the sweeper; 30s keeps that wait short, and the figures say when it happened.
  const peers = await startPhotoPeers({ stuckAfter: '30s' });
  const stack = await startStack({
    dynamoPort: await freePort(), fauxqsPort: await freePort(), httpPort: await freePort(), lambdaPort: await freePort(),
    env: peers.env,
  });
  const rows: Array<Record<string, unknown>> = [];
  try {
    const run = Date.now();
    // Warm-up: the first calls start the workers and load the model, which is not what we measure.
    await pool(2 * concurrency, concurrency, (i) => post(stack.httpUrl, { photoUrl: `${peers.files}/missing.jpg?warm=${run}-${i}`, cameraCode: 'bench-warm', callTime: Date.now() }));
    const warm = await post(stack.httpUrl, { photoUrl: `${peers.files}/fixtures/messi5.jpg?warm=${run}`, cameraCode: 'bench-warm', callTime: Date.now() });
    await waitForReports(peers.receiver, new Set([warm.json.id]), 180_000);

    // Intake alone: announcements of photos the file server answers 404 for, so downloads fail fast
    // and the detector stays idle; intake still writes, dedups and queues exactly as for real photos.
    // One client: the latency of a request on its own (the target: p99 < 50 ms).
    let t = performance.now();
    const solo = await pool(intakeRequests / 2, 1, (i) =>
      post(stack.httpUrl, { photoUrl: `${peers.files}/missing.jpg?run=${run}&solo=${i}`, cameraCode: 'bench-intake', callTime: Date.now() }));
    const soloWall = performance.now() - t;
    const slat = solo.map((r) => r.ms);
    rows.push({ measure: 'intake: POST /photos, 1 photo, 1 client', n: solo.length, 'per s': round(solo.length / (soloWall / 1000)), 'p50 ms': round(percentile(slat, 50)), 'p99 ms': round(percentile(slat, 99)) });

    t = performance.now();
    const single = await pool(intakeRequests, concurrency, (i) =>
      post(stack.httpUrl, { photoUrl: `${peers.files}/missing.jpg?run=${run}&i=${i}`, cameraCode: 'bench-intake', callTime: Date.now() }));
    const singleWall = performance.now() - t;
    if (single.some((r) => r.status !== 202)) throw new Error(`intake answered ${single.find((r) => r.status !== 202)!.status}`);
    const lat = single.map((r) => r.ms);
    rows.push({ measure: `intake: POST /photos, 1 photo, ${concurrency} clients`, n: intakeRequests, 'per s': round(intakeRequests / (singleWall / 1000)), 'p50 ms': round(percentile(lat, 50)), 'p99 ms': round(percentile(lat, 99)) });

    t = performance.now();
    const batched = await pool(batches, 2, (b) =>
      post(stack.httpUrl, Array.from({ length: 100 }, (_, i) => ({ photoUrl: `${peers.files}/missing.jpg?run=${run}&b=${b}&i=${i}`, cameraCode: 'bench-batch', callTime: Date.now() }))));
    const batchWall = performance.now() - t;
    const blat = batched.map((r) => r.ms);
    rows.push({ measure: 'intake: POST /photos, 100 photos per request, 2 clients', n: batches * 100, 'per s': round((batches * 100) / (batchWall / 1000)), 'p50 ms': round(percentile(blat, 50)), 'p99 ms': round(percentile(blat, 99)) });

    // The whole pipeline: real photos, all announced at once; latency = POST sent → report received.
    const sentAt = new Map<number, number>();
    t = performance.now();
    const t0 = Date.now();
    await pool(pipelinePhotos, concurrency, async (i) => {
      const at = Date.now();
      const r = await post(stack.httpUrl, { photoUrl: `${peers.files}/fixtures/${FIXTURES[i % FIXTURES.length]}?run=${run}&p=${i}`, cameraCode: 'bench-pipeline', callTime: Date.now() });
      sentAt.set(r.json.id, at);
    });
    let got = await waitForReports(peers.receiver, new Set(sentAt.keys()), 300_000, true);
    let swept = 0;
    while (got.size < sentAt.size) {
      const summary = await invokeSweeper(stack.lambdaUrl);
      swept += Object.values(summary.redriven).reduce((a, b) => a + b, 0);
      got = await waitForReports(peers.receiver, new Set(sentAt.keys()), 60_000, true);
    }
    const e2e = [...sentAt].map(([id, at]) => got.get(id)! - at);
    const last = Math.max(...got.values());
    rows.push({ measure: `pipeline: POST → download → detect → report${swept ? ` (${swept} re-driven by the sweeper)` : ''}`, n: pipelinePhotos, 'per s': round(pipelinePhotos / ((last - t0) / 1000), 2), 'p50 ms': round(percentile(e2e, 50), 0), 'p99 ms': round(percentile(e2e, 99), 0) });
    void t;
  } finally {
    await stack.stop();
    await peers.stop();
  }

  // The detector alone, model loaded, in this process.
  const images = await Promise.all(FIXTURES.map((f) => readFile(resolve(import.meta.dirname, '../test/fixtures', f))));
  await detectPersons(images[0]!);
  const ms: number[] = [];
  for (let r = 0; r < detectorRuns; r++) for (const img of images) ms.push((await detectPersons(img)).ms);
  rows.push({ measure: 'detector alone: detectPersons (decode + inference), 1 image at a time', n: ms.length, 'per s': round(1000 / (ms.reduce((a, b) => a + b, 0) / ms.length), 2), 'p50 ms': round(percentile(ms, 50)), 'p99 ms': round(percentile(ms, 99)) });

  printTable('photos: local stack (serverless-offline + DynamoDB Local + fauxqs)', rows);
  return rows;
}

async function invokeSweeper(lambdaUrl: string): Promise<{ redriven: Record<string, number> }> {
  const lambda = new LambdaClient({ region: 'us-east-1', endpoint: lambdaUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'panoptes-local-photosSweeper', Payload: Buffer.from('{}') }));
    return JSON.parse(Buffer.from(r.Payload ?? []).toString('utf8')) as { redriven: Record<string, number> };
  } finally {
    lambda.destroy();
  }
}

/** Report arrival times by photo id (first 2xx), once all `ids` have one (or what arrived, with `partial`). */
async function waitForReports(receiver: string, ids: Set<number>, timeoutMs: number, partial = false): Promise<Map<number, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = (await (await fetch(`${receiver}/_requests?path=/report`)).json()) as Received[];
    const got = new Map<number, number>();
    for (const r of all) {
      const id = JSON.parse(r.body).id as number;
      if (ids.has(id) && r.status < 300 && !got.has(id)) got.set(id, r.at);
    }
    if (got.size === ids.size) return got;
    if (Date.now() > deadline) {
      if (partial) return got;
      throw new Error(`only ${got.size} of ${ids.size} reports arrived`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

if (isMain(import.meta.url)) {
  await benchPhotos();
  process.exit(0);
}
