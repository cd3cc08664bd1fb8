import { checkResponse } from './contract.js';
import { DEV_KEY, stackInfo } from './env.js';

/**
 * Small client for the local HTTP API used by end-to-end tests. Every answer is checked against the
 * OpenAPI document (test/support/contract.ts): an undeclared status or a body that does not match
 * its schema fails the test. `contract: false` only for requests that are meant to leave the API
 * (e.g. a route that does not exist).
 */
export async function api(method: string, path: string, opts: { body?: unknown; rawBody?: string | Buffer; key?: string | null; headers?: Record<string, string>; contract?: boolean } = {}) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.key !== null) headers['x-api-key'] = opts.key ?? DEV_KEY;
  let body: string | Buffer | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(stackInfo().httpUrl + path, { method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const out = { status: res.status, headers: res.headers, text, json };
  if (opts.contract !== false) checkResponse(method, path, out);
  return out;
}

/** Polls until `fn` returns a truthy value or the time is up (then fails with `what`). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 60_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
