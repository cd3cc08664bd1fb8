import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type * as z from 'zod';
import { dynamo, s3 } from '../../../shared/platform/aws.js';
import { routes, routeKey } from '../../../shared/api/index.js';
import { errorBody, type Route } from '../../../shared/api/route.js';
import { api } from '../../support/http.js';

/**
 * Negative fuzzing from the contract (schemathesis-style, with fast-check): for every route, requests
 * whose path, query or body violate the route's own schemas (the ones the handler validates with and
 * the OpenAPI document shows), plus requests without a key. Each must be answered 4xx with the JSON
 * error body (and a status the document declares: api() checks every answer against it), and
 * nothing may be written: the item count of every table and the object count of every bucket are
 * the same before and after.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/** A valid value for each path parameter, so that one part at a time can be made invalid. */
const VALID: Record<string, string> = {
  key: 'fuzz', id: '1', cameraCode: 'fuzz-cam', cameraId: 'fuzz-cam', fileId: '0000000000000000000zz',
  alarmId: `al_${'0'.repeat(24)}`, agentId: 'fuzz-agent', fileName: '2001_01_01_00_00_00_1_0.jpg', deviceId: 'fuzzdev',
  jobId: '999999999', imageKey: 'images/fuzz/none.jpg',
};

const paramsOf = (r: Route<any, any, any>) => [...r.url.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
const queryNames = (r: Route<any, any, any>) => Object.keys((r.query as z.ZodObject | undefined)?.shape ?? {});
const jsonBodyOf = (r: Route<any, any, any>): z.ZodType | undefined => r.documentBody ?? (r.body && r.body.def?.type !== 'unknown' ? r.body : undefined);
const fails = (schema: z.ZodType | undefined, v: unknown) => schema !== undefined && !schema.safeParse(v).success;

function urlOf(r: Route<any, any, any>, path: Record<string, string>, query?: Record<string, string>): string {
  const p = r.url.replace(/\{([^}+]+)\+?\}/g, (_, n: string) => encodeURIComponent(path[n]!));
  const qs = query && Object.keys(query).length ? `?${new URLSearchParams(query).toString()}` : '';
  return p + qs;
}

const weird = fc.constantFrom('', ' ', '-1', '0', '1.5', '1e99', 'NaN', 'null', 'true', '[]', '{}', 'x'.repeat(65), 'x'.repeat(3000), '\u0000', 'ü', '💥', '../etc', "'; drop table", 'al_xyz');
const stringish = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 20 }), weird);
/** Path values that still address the route (not empty, not a dot segment, not the literal sibling). */
const pathValue = stringish.filter((s) => s.length > 0 && s !== '.' && s !== '..' && s !== 'status' && s !== 'heartbeat' && s !== 'uploads' && s !== 'jobs');
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
);

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const tables = (await dynamo().send(new ListTablesCommand({}))).TableNames ?? [];
  for (const t of tables) {
    let n = 0;
    let start: Record<string, any> | undefined;
    do {
      // The scheduled FTP scan and cleanup record their last run in ftp-state (GET /ftp/status) whenever
      // their schedule fires, fuzz or not: those items are background writes, not the requests'.
      const background = t.endsWith('-ftp-state')
        ? { FilterExpression: 'NOT begins_with(id, :lastRun)', ExpressionAttributeValues: { ':lastRun': { S: 'lastrun#' } } }
        : {};
      const page = await dynamo().send(new ScanCommand({ TableName: t, Select: 'COUNT', ...background, ...(start ? { ExclusiveStartKey: start } : {}) }));
      n += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    out[`table ${t}`] = n;
  }
  for (const b of (await s3().send(new ListBucketsCommand({}))).Buckets ?? []) {
    let n = 0;
    let token: string | undefined;
    do {
      const page = await s3().send(new ListObjectsV2Command({ Bucket: b.Name!, ...(token ? { ContinuationToken: token } : {}) }));
      n += page.KeyCount ?? 0;
      token = page.NextContinuationToken;
    } while (token);
    out[`bucket ${b.Name}`] = n;
  }
  return out;
}

const cases = { total: 0, byStatus: new Map<number, number>(), routes: new Set<string>() };

/** Problems found (all of them are reported at the end, with the request that showed each). */
const problems: string[] = [];

async function expectRefused(r: Route<any, any, any>, url: string, opts: Parameters<typeof api>[2], what: string) {
  const label = `${routeKey(r)} ${what}: ${r.method} ${url.slice(0, 160)} ${opts?.rawBody !== undefined ? String(opts.rawBody).slice(0, 160) : ''}`;
  let res: Awaited<ReturnType<typeof api>>;
  try {
    res = await api(r.method, url, opts); // also checks the status is declared and the body matches the document
  } catch (err) {
    problems.push(`${label}: ${(err as Error).message.slice(0, 400)}`);
    return;
  }
  cases.total++;
  cases.routes.add(routeKey(r));
  cases.byStatus.set(res.status, (cases.byStatus.get(res.status) ?? 0) + 1);
  const seen = `${label} → ${res.status} ${res.text.slice(0, 200)}`;
  if (!(res.status >= 400 && res.status < 500)) problems.push(`${seen}: not a 4xx`);
  else if (r.method !== 'HEAD' && !/^application\/json/.test(res.headers.get('content-type') ?? '')) problems.push(`${seen}: not JSON`);
  else if (r.method !== 'HEAD' && !errorBody.safeParse(res.json).success) problems.push(`${seen}: not the error body`);
}

const fuzzed = routes.filter((r) => r.auth === 'apiKey' || r.path || r.query || jsonBodyOf(r));

describe('fuzz: schema-violating requests to every route', () => {
  it(`are refused with 4xx and the JSON error body, and write nothing (${RUNS} cases per route and part)`, async () => {
    const before = await counts();
    const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };
    for (const r of fuzzed) {
      const names = paramsOf(r);
      for (const n of names) expect(r.path?.safeParse({ ...Object.fromEntries(names.map((x) => [x, VALID[x]])) }).success, `VALID.${n} for ${routeKey(r)}`).toBe(true);
      const valid = Object.fromEntries(names.map((n) => [n, VALID[n]!]));
      const body = jsonBodyOf(r);
      // A valid body, where the route takes one, so that the path and query cases fail on the path or query.
      const okBody = body && r.method !== 'GET' ? { rawBody: '{}' } : {};

      if (r.auth === 'apiKey') {
        await expectRefused(r, urlOf(r, valid), { key: null, ...okBody }, 'no key');
        await expectRefused(r, urlOf(r, valid), { key: 'not-a-key', ...okBody }, 'wrong key');
      }
      for (const n of names) {
        await fc.assert(fc.asyncProperty(pathValue.filter((v) => fails(r.path, { ...valid, [n]: v })), async (v) => {
          await expectRefused(r, urlOf(r, { ...valid, [n]: v }), okBody, `path.${n}`);
        }), params);
      }
      const qn = queryNames(r);
      if (qn.length) {
        const query = fc.dictionary(fc.constantFrom(...qn), stringish, { minKeys: 1, maxKeys: qn.length }).filter((q) => fails(r.query, q));
        await fc.assert(fc.asyncProperty(query, async (q) => {
          await expectRefused(r, urlOf(r, valid, q), okBody, 'query');
        }), params);
      }
      if (body) {
        await fc.assert(fc.asyncProperty(jsonish.filter((b) => fails(body, b)), async (b) => {
          await expectRefused(r, urlOf(r, valid), { rawBody: JSON.stringify(b), headers: { 'content-type': 'application/json' } }, 'body');
        }), params);
        await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }), async (s) => {
          await expectRefused(r, urlOf(r, valid), { rawBody: s, headers: { 'content-type': 'application/json' } }, 'not JSON');
        }), { ...params, numRuns: Math.max(1, Math.ceil(RUNS / 4)) });
      }
    }
    const after = await counts();
    expect(problems.slice(0, 30), `${problems.length} problems`).toEqual([]);
    expect(after).toEqual(before);
    const statuses = [...cases.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`fuzz: ${cases.total} refused requests over ${cases.routes.size} routes (${statuses}); ${Object.keys(before).length} tables and buckets unchanged`);
    expect(cases.routes.size).toBe(fuzzed.length);
  }, 600_000);
});
