import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inject } from 'vitest';
import { DEV_KEY } from './env.js';

/**
 * Handler mode: one Lambda handler run in this test's process against the emulators — no
 * serverless-offline, no event sources — so a handler can be debugged in seconds (breakpoints,
 * stack traces into the source). The function gets the environment serverless.yml resolves for
 * it on the local stage (provider + function), on top of the emulators' endpoints, and is
 * imported from its TypeScript source. Works in the integration project (its global setup
 * provides the functions). Test files are isolated, so the environment set here stays in one file.
 */
export interface FunctionInfo {
  /** The deployed name (panoptes-<stage>-<function>). */
  name: string;
  handler: string;
  environment: Record<string, string>;
  http: Array<{ method: string; path: string }>;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const loaded = new Map<string, Handler>();

/** The function's handler, its environment applied (first call imports it: module-scope config reads it then). */
export async function handlerOf(fn: string): Promise<Handler> {
  const known = loaded.get(fn);
  if (known) return known;
  const info = inject('functions')[fn];
  if (!info) throw new Error(`serverless.yml has no function ${fn}`);
  Object.assign(process.env, inject('cloudEnv'), info.environment);
  // dist/functions/photos/intake.handler → functions/photos/intake.ts, export `handler`.
  const m = /^dist\/(.+)\.([A-Za-z_$][\w$]*)$/.exec(info.handler);
  if (!m) throw new Error(`unexpected handler ${info.handler}`);
  const source = pathToFileURL(resolve(import.meta.dirname, '../..', `${m[1]!}.ts`)).href;
  const mod = (await import(/* @vite-ignore */ source)) as Record<string, Handler>;
  const h = mod[m[2]!];
  if (typeof h !== 'function') throw new Error(`${info.handler}: no such export`);
  loaded.set(fn, h);
  return h;
}

export function lambdaContext(fn: string) {
  return { awsRequestId: randomUUID(), functionName: inject('functions')[fn]?.name ?? fn, getRemainingTimeInMillis: () => 30_000, callbackWaitsForEmptyEventLoop: false };
}

export interface HttpReply {
  status: number;
  headers: Record<string, string>;
  json: any;
}

/**
 * An HTTP API (payload 2.0) request to one function: the route is the function's own httpApi
 * event whose method and path match, so path parameters come out as API Gateway would give them.
 */
export async function http(fn: string, method: string, path: string, o: { body?: unknown; headers?: Record<string, string>; key?: string | null } = {}): Promise<HttpReply> {
  const info = inject('functions')[fn]!;
  const [rawPath, rawQuery = ''] = path.split('?') as [string, string?];
  const route = info.http.map((r) => ({ r, params: matchRoute(r.path, rawPath) })).find((x) => x.r.method === method && x.params);
  if (!route) throw new Error(`${fn} has no route ${method} ${rawPath}`);
  const headers: Record<string, string> = { ...(o.key === null ? {} : { 'x-api-key': o.key ?? DEV_KEY }), ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), ...o.headers };
  const query = Object.fromEntries(new URLSearchParams(rawQuery));
  const routeKey = `${method} ${route.r.path}`;
  const event = {
    version: '2.0', routeKey, rawPath, rawQueryString: rawQuery, headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(route.params!).length ? { pathParameters: route.params } : {}),
    requestContext: { http: { method, path: rawPath, sourceIp: '127.0.0.1' }, requestId: randomUUID(), routeKey, stage: '$default' },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    isBase64Encoded: false,
  };
  const res = (await (await handlerOf(fn))(event, lambdaContext(fn))) as { statusCode: number; headers?: Record<string, string>; body?: string };
  let json: unknown;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers ?? {}, json };
}

/** `{name}` and greedy `{name+}` path templates → parameters, or undefined when the path does not fit. */
function matchRoute(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const re = new RegExp(`^${template.replace(/[.*?^$()|[\]\\]/g, '\\$&').replace(/\{([^}+]+)(\+?)\}/g, (_m, n: string, plus: string) => {
    names.push(n);
    return plus ? '(.+)' : '([^/]+)';
  })}$`);
  const m = re.exec(path);
  return m ? Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) : undefined;
}
