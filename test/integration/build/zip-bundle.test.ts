import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { build } from 'esbuild';
import { bundleOptions } from '../../../bench/packages.js';
import { loadService, PLACEHOLDER_IMAGE } from '../../../infra/local/service.js';
import type { AddressInfo } from 'node:net';
import { resource } from '../../support/names.js';

/**
 * A zip function as AWS runs it: functions/ids/handler.ts bundled with the dev stage's esbuild options
 * and plugins (serverless.yml custom.esbuild, infra/build/lean-bundle.cjs), imported by a fresh `node`
 * that has only the Lambda-like environment, and invoked against DynamoDB Local. The local stack runs
 * the unbundled code, so this is what checks that the bundle's trims (built-ins via require, zod's
 * locales, the developer credential sources) leave a working function.
 */
const root = resolve(import.meta.dirname, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'panoptes-bundle-'));
const bundle = join(dir, 'handler.mjs');
const table = resource('ids');
const API_KEY = 'bundle-test-key';

beforeAll(async () => {
  const svc = await loadService('dev', { imageUri: PLACEHOLDER_IMAGE });
  const custom = svc.custom.esbuild as Parameters<typeof bundleOptions>[0];
  await build({ ...bundleOptions(custom), entryPoints: [resolve(root, 'functions/ids/handler.ts')], outfile: bundle, logLevel: 'error' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The emulators' endpoints and region, without the credentials (each case brings its own). */
function lambdaEnv(extra: Record<string, string>): Record<string, string> {
  const cloud = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('AWS_ENDPOINT_URL') || k === 'AWS_REGION'));
  return { PATH: process.env.PATH ?? '', ...cloud, AWS_REGION: process.env.AWS_REGION ?? 'us-east-1', IDS_TABLE: table, API_KEYS: API_KEY, ...extra } as Record<string, string>;
}

/** Runs a module script in a fresh node (asynchronously: a test's own servers must keep answering). */
async function run(script: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 60_000 });
  return stdout;
}

/** Imports the bundle in a fresh node, invokes POST /ids/{key}?count=3 once, and reports what it saw. */
async function invoke(env: Record<string, string>) {
  const key = `bundle-${randomUUID()}`;
  const event = {
    version: '2.0', routeKey: 'POST /ids/{key}', rawPath: `/ids/${key}`, rawQueryString: 'count=3',
    headers: { 'x-api-key': API_KEY }, pathParameters: { key }, queryStringParameters: { count: '3' },
    requestContext: { http: { method: 'POST', path: `/ids/${key}` }, requestId: randomUUID(), routeKey: 'POST /ids/{key}' },
    isBase64Encoded: false,
  };
  const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const undiciAtImport = process.moduleLoadList.some((x) => x.includes('undici'));
const res = await m.handler(${JSON.stringify(event)}, { awsRequestId: 'r1', functionName: 'ids', getRemainingTimeInMillis: () => 10000 });
process.stdout.write(JSON.stringify({ res, undiciAtImport }));`;
  const out = JSON.parse(await run(script, env)) as { res: { statusCode: number; body: string }; undiciAtImport: boolean };
  return { ...out, key, body: JSON.parse(out.res.body) as { key: string; ids: number[] } };
}

describe('a zip bundle (dev stage options) run as Lambda runs it', () => {
  it('allocates ids with the credentials Lambda puts in the environment, and loads no undici at import', async () => {
    const r = await invoke(lambdaEnv({ AWS_ACCESS_KEY_ID: 'AKIDBUNDLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' }));
    expect(r.res.statusCode, r.res.body).toBe(200);
    expect(r.body).toEqual({ key: r.key, ids: [1, 2, 3] });
    expect(r.undiciAtImport).toBe(false);
  });

  it('without environment credentials, skips the profile sources and gets them from container metadata', async () => {
    let asked = 0;
    const creds: Server = createServer((req, res) => {
      asked++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ AccessKeyId: 'AKIDCONTAINER', SecretAccessKey: 'secret', Token: 'token', Expiration: new Date(Date.now() + 3_600_000).toISOString() }));
    });
    await new Promise<void>((ok) => creds.listen(0, '127.0.0.1', ok));
    const { port } = creds.address() as AddressInfo;
    try {
      // AWS_PROFILE names a profile no file has: the ini, SSO, process and token-file sources are stubs
      // in the bundle and pass on; the container endpoint is next.
      const r = await invoke(lambdaEnv({ AWS_PROFILE: 'no-such-profile', AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}/credentials` }));
      expect(r.res.statusCode, r.res.body).toBe(200);
      expect(r.body.ids).toEqual([1, 2, 3]);
      expect(asked).toBeGreaterThan(0);
    } finally {
      await new Promise((done) => creds.close(done));
    }
  });

  it('answers bad input with a 400 naming the field (zod, cut to its English locale, still validates)', async () => {
    const env = lambdaEnv({ AWS_ACCESS_KEY_ID: 'AKIDBUNDLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    const script = `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});
const res = await m.handler({ version: '2.0', routeKey: 'POST /ids/{key}', rawPath: '/ids/k', rawQueryString: 'count=zero', headers: { 'x-api-key': '${API_KEY}' },
  pathParameters: { key: 'k' }, queryStringParameters: { count: 'zero' }, requestContext: { http: { method: 'POST', path: '/ids/k' }, requestId: 'x' }, isBase64Encoded: false },
  { awsRequestId: 'r2', functionName: 'ids', getRemainingTimeInMillis: () => 10000 });
process.stdout.write(JSON.stringify(res));`;
    const res = JSON.parse(await run(script, env)) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(400);
    const body = JSON.parse(res.body) as { details: Array<{ path: string; message: string }> };
    expect(body.details[0]?.path).toBe('query.count');
    expect(body.details[0]?.message).toMatch(/number/);
  });
});
