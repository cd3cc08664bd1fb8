import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { clientsFor, startStack, type LocalStack } from '../../../infra/local/stack.js';
import { freePort } from '../../support/ports.js';
import { startPhotoPeers, type PhotoPeers } from '../../support/peers/photos.js';
import { DEV_KEY } from '../../support/env.js';
import { eventually } from '../../support/http.js';
import type { Received } from '../../support/peers/receiver.js';
import { resource } from '../../support/names.js';

/**
 * `--persist`: a stack stopped in the middle of a run and started again on the same data directory
 * (DynamoDB Local -dbPath + fauxqs dataDir) loses nothing. Its own stacks, not the shared one.
 */
let peers: PhotoPeers | undefined;
let stack: LocalStack | undefined;
let dir: string | undefined;

afterAll(async () => {
  await stack?.stop();
  await peers?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function boot(): Promise<LocalStack> {
  return startStack({
    dynamoPort: await freePort(),
    fauxqsPort: await freePort(),
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    persistDir: dir!,
    env: peers!.env,
    log: process.env.STACK_LOG ? (l) => console.log(l) : undefined,
    verbose: Boolean(process.env.STACK_LOG),
  });
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(stack!.httpUrl + path, {
    method,
    headers: { 'x-api-key': DEV_KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

async function reports(): Promise<Received[]> {
  return (await (await fetch(`${peers!.receiver}/_requests?path=/report`)).json()) as Received[];
}

/** Straight from DynamoDB: polling through the API would keep a busy 2-core machine busier. */
async function records(ids: number[]): Promise<Array<Record<string, any>>> {
  const db = DynamoDBDocumentClient.from(clientsFor(stack!.env).dynamo);
  try {
    const r = await db.send(new BatchGetCommand({ RequestItems: { [resource('photos')]: { Keys: ids.map((id) => ({ pk: `photo#${id}` })), ConsistentRead: true } } }));
    return r.Responses?.[resource('photos')] ?? [];
  } finally {
    db.destroy();
  }
}

async function sweep() {
  const lambda = new LambdaClient({ region: 'us-east-1', endpoint: stack!.lambdaUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  try {
    await lambda.send(new InvokeCommand({ FunctionName: 'panoptes-local-photosSweeper', Payload: Buffer.from('{}') }));
  } finally {
    lambda.destroy();
  }
}

describe('restart with --persist', () => {
  it('a stack restarted mid-run loses nothing', async () => {
    peers = await startPhotoPeers({ stuckAfter: '3s' });
    dir = await mkdtemp(join(tmpdir(), 'panoptes-persist-'));
    stack = await boot();

    // Remote server 2 is down for a while, so reports are mid-retry when the stack stops.
    await fetch(`${peers.receiver}/_control`, { method: 'POST', body: JSON.stringify({ path: '/report', failFirst: 3, status: 503 }) });
    const cam = `persist-${Date.now()}`;
    const names = ['messi5.jpg', 'basketball1.png', 'basketball2.png'];
    const photos = Array.from({ length: 9 }, (_, i) => ({
      photoUrl: `${peers!.files}/fixtures/${names[i % 3]}?n=${i}`,
      cameraCode: cam,
      callTime: Date.now() - (10 - i) * 1000,
    }));
    const r = await call('POST', '/photos', photos);
    expect(r.status).toBe(202);
    const ids = (r.json as Array<{ id: number }>).map((a) => a.id);

    // Stop as soon as the pipeline is under way: some photos downloaded, not all reported.
    await eventually(async () => (await records(ids)).some((x) => x.downloaded), 'a first download', 180_000, 250);
    const stored = (await records(ids)).filter((x) => x.s3Key).map((x) => x.s3Key as string);
    await stack.stop();
    stack = undefined;
    const before = new Set((await reports()).filter((x) => x.status === 200).map((x) => JSON.parse(x.body).id as number));
    expect(before.size).toBeLessThan(ids.length);

    stack = await boot();
    // fauxqs' dataDir kept the photos stored before the stop.
    const s3c = clientsFor(stack.env).s3;
    for (const key of stored) await s3c.send(new HeadObjectCommand({ Bucket: resource('photosMedia'), Key: key }));
    s3c.destroy();
    // Every record survived, and intake still knows the triples it has seen.
    for (const id of ids) expect((await call('GET', `/photos/${id}`)).status).toBe(200);
    const again = await call('POST', '/photos', photos[0]);
    expect(again.json).toMatchObject({ status: 'success', id: ids[0], duplicate: true });
    const fresh = await call('POST', '/photos', { ...photos[0], photoUrl: `${photos[0]!.photoUrl}&fresh=1` });
    expect(ids).not.toContain(fresh.json.id);

    // Messages in flight at the stop come back after their visibility timeout; the sweeper does not wait.
    const all = [...ids, fresh.json.id as number];
    await eventually(async () => {
      await sweep();
      const recs = await records(all);
      return recs.length === all.length && recs.every((x) => x.stage === 'done');
    }, 'every photo reported after the restart', 240_000, 4000);

    const ok = (await reports()).filter((x) => x.status === 200).map((x) => JSON.parse(x.body).id as number);
    const redriven = (await records(all)).filter((x) => (x.redrives ?? 0) > 0).length;
    console.log(`persist: stopped with ${stored.length}/${ids.length} stored and ${before.size} reported; after the restart all ${all.length} reported (${redriven} needed a sweeper re-drive)`);
    for (const id of all) expect(ok, `photo ${id} reported`).toContain(id);
    for (const id of all) {
      const rec = (await call('GET', `/photos/${id}`)).json;
      expect(rec).toMatchObject({ downloaded: true, analysed: true, reported: true });
    }
  });
});
