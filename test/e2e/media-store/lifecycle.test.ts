import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ddb, s3 } from '../../../shared/platform/aws.js';
import { DEV_KEY, stackInfo } from '../../support/env.js';
import { api } from '../../support/http.js';
import { MediaClient } from '../../../cli/media-client.js';
import { mediaGroupBucket, resource } from '../../support/names.js';

/** Delete, groups, app isolation, bad input, abandoned uploads and the CLI, through the HTTP API. */
const FILES = resource('mediaFiles');
const ROUTES = resource('mediaRoutes');
const BUCKETS = [mediaGroupBucket('g1'), mediaGroupBucket('g2')];
const APP_A = 'local-app-a'; // bound to appA
const APP_B = 'local-app-b'; // bound to appB
const root = resolve(import.meta.dirname, '../../..');

let dir: string;
const client = (key = DEV_KEY) => new MediaClient({ api: stackInfo().httpUrl, key });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-e2e-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function uploadBytes(bytes: Buffer, appId = 'appA', userId = `u-${randomUUID()}`, key = DEV_KEY) {
  const file = join(dir, `${randomUUID()}.bin`);
  await writeFile(file, bytes);
  return client(key).upload(file, { appId, userId });
}

const groups = async () => Object.fromEntries((await api('GET', '/groups')).json.groups.map((g: any) => [g.name, g]));
const record = async (fileId: string) => (await ddb().send(new GetCommand({ TableName: FILES, Key: { fileId }, ConsistentRead: true }))).Item;
const objectExists = (bucket: string, key: string) => s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

async function fileCount(): Promise<number> {
  let n = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const r = await ddb().send(new ScanCommand({ TableName: FILES, Select: 'COUNT', ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    n += r.Count ?? 0;
    start = r.LastEvaluatedKey;
  } while (start);
  return n;
}
async function objectCount(): Promise<number> {
  let n = 0;
  for (const Bucket of BUCKETS) n += (await s3().send(new ListObjectsV2Command({ Bucket }))).KeyCount ?? 0;
  return n;
}

describe('delete', () => {
  it('removes object and record: 404 on HEAD/GET/content, group totals updated, repeat harmless', async () => {
    const bytes = randomBytes(123_457);
    const view = await uploadBytes(bytes);
    const rec = (await record(view.fileId))!;
    expect(await objectExists(rec.bucket, rec.key)).toBe(true);
    const before = await groups();

    const del = await api('DELETE', `/media/${view.fileId}`);
    expect(del.status).toBe(200);
    expect(del.json).toEqual({ fileId: view.fileId, status: 'deleted', alreadyDeleted: false });

    expect((await api('HEAD', `/media/${view.fileId}`)).status).toBe(404);
    expect((await api('GET', `/media/${view.fileId}`)).status).toBe(404);
    expect((await api('GET', `/media/${view.fileId}/content`, { headers: { range: 'bytes=0-9' } })).status).toBe(404);
    expect(await objectExists(rec.bucket, rec.key)).toBe(false);
    const after = await groups();
    expect(before[view.group].files - after[view.group].files).toBe(1);
    expect(before[view.group].bytes - after[view.group].bytes).toBe(bytes.length);

    const again = await api('DELETE', `/media/${view.fileId}`);
    expect(again.status).toBe(200);
    expect(again.json.alreadyDeleted).toBe(true);
    expect(await groups()).toEqual(after);
    const unknown = await api('DELETE', '/media/0000000000000000000zz');
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toMatch(/not found/);
  });

  it('GET /groups lists both local groups with totals that follow uploads', async () => {
    const before = await groups();
    expect(Object.keys(before).sort()).toEqual(['g1', 'g2']);
    for (const g of Object.values(before) as any[]) {
      expect(g).toMatchObject({ status: 'active', bucket: expect.stringMatching(/^panoptes-local-media-g[12]$/) });
    }
    const view = await uploadBytes(randomBytes(4321));
    const after = await groups();
    expect(after[view.group].files - before[view.group].files).toBe(1);
    expect(after[view.group].bytes - before[view.group].bytes).toBe(4321);
  });
});

describe('apps see only their own files', () => {
  let fileId: string;
  beforeAll(async () => {
    fileId = (await uploadBytes(randomBytes(1000), 'appA', 'isolated', APP_A)).fileId;
  });

  it("another app's key gets 404 everywhere (no hint the file exists); its own app and the operator see it", async () => {
    for (const [method, path, headers] of [
      ['HEAD', `/media/${fileId}`, {}],
      ['GET', `/media/${fileId}`, {}],
      ['GET', `/media/${fileId}/content`, { range: 'bytes=0-10' }],
      ['GET', `/media/${fileId}/content?offset=0&size=10`, {}],
      ['POST', `/media/uploads/${fileId}/complete`, {}],
      ['DELETE', `/media/${fileId}`, {}],
    ] as const) {
      const r = await api(method, path, { key: APP_B, headers: { ...headers } });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect((await api('HEAD', `/media/${fileId}`, { key: APP_A })).status).toBe(200);
    expect((await api('HEAD', `/media/${fileId}`)).status).toBe(200);
    expect((await record(fileId))!.status).toBe('ready');
  });

  it('an app-bound key can neither upload nor list for another app', async () => {
    const up = await api('POST', '/media/uploads', { key: APP_B, body: { appId: 'appA', userId: 'x', fileName: 'a.bin', size: 10 } });
    expect(up.status).toBe(403);
    const list = await api('GET', '/media?appId=appA&userId=isolated', { key: APP_B });
    expect(list.status).toBe(403);
    const own = await api('GET', '/media?appId=appA&userId=isolated', { key: APP_A });
    expect(own.status).toBe(200);
    expect(own.json.files.map((f: any) => f.fileId)).toContain(fileId);
  });
});

describe('bad input: a clear 4xx and nothing written', () => {
  it('refuses bad uploads, ids and ranges', async () => {
    const ready = await uploadBytes(randomBytes(1000));
    const [files0, objects0, groups0] = [await fileCount(), await objectCount(), await groups()];
    const user = `never-${randomUUID()}`;
    const good = { appId: 'appA', userId: user, fileName: 'a.mp4', size: 1000, contentType: 'video/mp4' };

    const refused: Array<[string, string, { body?: unknown; rawBody?: string; headers?: Record<string, string>; key?: string | null }, number, RegExp]> = [
      ['POST', '/media/uploads', { body: { ...good, size: -1 } }, 400, /body\.size/],
      ['POST', '/media/uploads', { body: { ...good, size: 0 } }, 400, /body\.size/],
      ['POST', '/media/uploads', { body: { ...good, size: 50 * 1024 ** 3 + 1 } }, 400, /at most 53687091200/],
      ['POST', '/media/uploads', { body: { ...good, size: 1e20 } }, 400, /body\.size/],
      ['POST', '/media/uploads', { body: { ...good, size: 10.5 } }, 400, /whole number/],
      ['POST', '/media/uploads', { body: { ...good, size: '1000' } }, 400, /must be a number/],
      ['POST', '/media/uploads', { body: { ...good, appId: undefined } }, 400, /appId is required/],
      ['POST', '/media/uploads', { body: { ...good, userId: undefined } }, 400, /userId is required/],
      ['POST', '/media/uploads', { body: { ...good, fileName: undefined } }, 400, /fileName is required/],
      ['POST', '/media/uploads', { body: { ...good, size: undefined } }, 400, /size is required/],
      ['POST', '/media/uploads', { body: { ...good, contentType: 'not a type' } }, 400, /contentType/],
      ['POST', '/media/uploads', { body: { ...good, userId: 'a/b' } }, 400, /userId must be/],
      ['POST', '/media/uploads', { rawBody: '{not json', headers: { 'content-type': 'application/json' } }, 400, /not valid JSON/],
      ['POST', '/media/uploads', { body: good, key: null }, 401, /x-api-key/],
      ['POST', '/media/uploads', { body: good, key: 'wrong' }, 401, /x-api-key/],
      ['POST', '/media/uploads/0000000000000000000zz/complete', {}, 404, /not found/],
      ['POST', `/media/uploads/${ready.fileId}/complete`, { rawBody: '{"parts": "x"}' }, 400, /body\.parts/],
      ['HEAD', '/media/0000000000000000000zz', {}, 404, /.*/],
      ['GET', '/media/0000000000000000000zz', {}, 404, /not found/],
      ['GET', '/media/not-an-id', {}, 400, /fileId is malformed/],
      ['GET', `/media/${ready.fileId}/content`, { headers: { range: 'bytes=1000-' } }, 416, /range starts at 1000/],
      ['GET', `/media/${ready.fileId}/content`, { headers: { range: 'bytes=5000-6000' } }, 416, /1000 bytes/],
      ['GET', `/media/${ready.fileId}/content?offset=1000&size=1`, {}, 416, /offset 1000/],
      ['GET', `/media/${ready.fileId}/content`, { headers: { range: 'bytes=9-2' } }, 400, /before its start/],
      ['GET', `/media/${ready.fileId}/content`, { headers: { range: 'bytes=abc' } }, 400, /not a byte range/],
      ['GET', `/media/${ready.fileId}/content`, { headers: { range: 'pages=0-1' } }, 400, /bytes=start-end/],
      ['GET', `/media/${ready.fileId}/content`, { headers: { range: 'bytes=0-1,4-5' } }, 400, /multiple ranges/],
      ['GET', `/media/${ready.fileId}/content?offset=-1`, {}, 400, /offset must be 0 or more/],
      ['GET', `/media/${ready.fileId}/content?offset=1&size=x`, {}, 400, /size must be a number/],
      ['GET', `/media/${ready.fileId}/content?offset=1`, { headers: { range: 'bytes=0-1' } }, 400, /either the Range header/],
      ['GET', '/media?appId=appA', {}, 400, /userId is required/],
      ['GET', '/media?appId=appA&userId=u&limit=1000', {}, 400, /limit must be between 1 and 100/],
      ['GET', '/media?appId=appA&userId=u&cursor=garbage', {}, 400, /invalid cursor/],
    ];
    for (const [method, path, opts, status, message] of refused) {
      const r = await api(method, path, opts);
      expect(r.status, `${method} ${path} ${JSON.stringify(opts)}`).toBe(status);
      if (method !== 'HEAD') {
        expect(r.json?.message, `${method} ${path}`).toMatch(message);
        expect(r.text).not.toMatch(/at .*\.ts:\d+/); // no stack traces
      }
      if (status === 416) expect(r.headers.get('content-range')).toBe('bytes */1000');
    }
    expect(await fileCount()).toBe(files0);
    expect(await objectCount()).toBe(objects0);
    expect(await groups()).toEqual(groups0);
    expect((await ddb().send(new GetCommand({ TableName: ROUTES, Key: { appId: 'appA', userId: user } }))).Item).toBeUndefined();
  });

  it('completing before uploading, or with a wrong part list, is refused and leaves the upload open', async () => {
    const start = await api('POST', '/media/uploads', { body: { appId: 'appA', userId: 'early', fileName: 'x.bin', size: 10 } });
    expect(start.status).toBe(201);
    const early = await api('POST', `/media/uploads/${start.json.fileId}/complete`);
    expect(early.status).toBe(409);
    expect(early.json.message).toMatch(/nothing was uploaded/);
    expect((await api('HEAD', `/media/${start.json.fileId}`)).status).toBe(404);
    // Content-Length is signed, so S3 would refuse this PUT already; fauxqs checks no signature.
    const typeOnly = { 'content-type': start.json.upload.headers['content-type'] };
    const put = await fetch(start.json.upload.url, { method: 'PUT', body: 'x'.repeat(9), headers: typeOnly });
    expect(put.status).toBe(200);
    const short = await api('POST', `/media/uploads/${start.json.fileId}/complete`);
    expect(short.status).toBe(409);
    expect(short.json.message).toMatch(/9 bytes but 10 were declared/);
    await fetch(start.json.upload.url, { method: 'PUT', body: 'y'.repeat(10), headers: typeOnly });
    const ok = await api('POST', `/media/uploads/${start.json.fileId}/complete`);
    expect(ok.status).toBe(200);
    expect(ok.json.status).toBe('ready');
  });
});

describe('abandoned uploads', () => {
  it('the sweep removes an upload never completed: no object, no ready record, complete then 404', async () => {
    const start = await api('POST', '/media/uploads', { body: { appId: 'appA', userId: 'quitter', fileName: 'q.bin', size: 5 } });
    await fetch(start.json.upload.url, { method: 'PUT', body: 'hello', headers: { 'content-type': start.json.upload.headers['content-type'] } });
    const rec = (await record(start.json.fileId))!;
    expect(rec.status).toBe('uploading');
    const lambda = new LambdaClient({ endpoint: stackInfo().lambdaUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'panoptes-local-mediaSweep', Payload: JSON.stringify({ abandonAfterSeconds: 0 }) }));
    const stats = JSON.parse(Buffer.from(out.Payload!).toString());
    expect(stats.abandoned).toBeGreaterThanOrEqual(1);
    expect(await objectExists(rec.bucket, rec.key)).toBe(false);
    expect((await record(start.json.fileId))!.status).toBe('deleted');
    expect((await api('POST', `/media/uploads/${start.json.fileId}/complete`)).status).toBe(404);
  });
});

describe('panoptes media (CLI)', () => {
  const cli = (args: string[]) => promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), ['cli/main.ts', 'media', ...args], {
    cwd: root,
    env: { ...process.env, PANOPTES_API: stackInfo().httpUrl, PANOPTES_API_KEY: DEV_KEY },
    maxBuffer: 64 * 1024 * 1024,
  });

  it('upload, filesize, download (whole and ranged), groups, delete', async () => {
    const bytes = randomBytes(9 * 1024 * 1024 + 17); // above the local multipart threshold: parallel parts
    const file = join(dir, 'cli.bin');
    await writeFile(file, bytes);
    const fileId = (await cli(['upload', file, '--app', 'appA', '--user', 'cli-user', '--concurrency', '3'])).stdout.trim();
    expect(fileId).toMatch(/^[0-9a-z]{21}$/);
    expect((await cli(['filesize', fileId])).stdout.trim()).toBe(String(bytes.length));

    const whole = join(dir, 'whole.bin');
    await cli(['download', fileId, '-o', whole]);
    expect((await readFile(whole)).equals(bytes)).toBe(true);
    const part = join(dir, 'part.bin');
    await cli(['download', fileId, '--offset', '1000', '--size', String(5 * 1024 * 1024), '-o', part]);
    expect((await readFile(part)).equals(bytes.subarray(1000, 1000 + 5 * 1024 * 1024))).toBe(true);

    const table = (await cli(['groups', '--json'])).stdout;
    expect(JSON.parse(table).map((g: any) => g.name)).toEqual(['g1', 'g2']);
    expect((await cli(['delete', fileId])).stdout).toMatch(/deleted/);
    const gone = await cli(['filesize', fileId]).then(() => undefined, (e: { stderr: string; code: number }) => e);
    expect(gone?.code).toBe(1);
    expect(gone?.stderr).toMatch(/404/);
  });
});
