import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { checkAddress, parseAllowList, type AllowList } from './allow.js';

/**
 * Fetches a URL someone else gave us without letting them reach what they should not (SSRF):
 * - every address is checked against an allow-list *at connect time*: we resolve DNS ourselves
 *   (the socket's `lookup`) and connect to the checked address, so DNS rebinding cannot slip past;
 * - redirects are followed by hand, each hop re-checked (scheme, host, address);
 * - one deadline covers connect, redirects and body; the body is capped while it streams.
 */
export interface SafeFetchOptions {
  /** Allow-list spec (see allow.ts) or a parsed list. */
  allow: AllowList | string;
  /** Whole request, redirects and body included. Default 10 s. */
  timeoutMs?: number;
  /** Body cap in bytes. Default 20 MiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SafeFetchResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
  redirects: string[];
}

export type SafeFetchErrorCode = 'bad_url' | 'blocked' | 'too_large' | 'timeout' | 'too_many_redirects' | 'dns' | 'network';

/** `permanent`: retrying the same URL cannot succeed (blocked, too large, bad URL, redirect loop). */
export class SafeFetchError extends Error {
  override name = 'SafeFetchError';
  constructor(readonly code: SafeFetchErrorCode, message: string, readonly permanent: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const DEFAULTS = { timeoutMs: 10_000, maxBytes: 20 * 1024 * 1024, maxRedirects: 5 };
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Node's own http/https, not a client library: the zip functions that fetch (photosDownload) load no
 * HTTP stack besides the one the AWS SDK already loads (issue 16's import time).
 * One keep-alive agent pair per allow-list: pooled connections were checked when they were opened.
 */
const agents = new Map<string, { http: http.Agent; https: https.Agent }>();

/** Marks refusals raised inside the connector so they surface as `blocked`, not as network errors. */
class BlockedError extends Error {
  override name = 'BlockedError';
}

function guardedLookup(list: AllowList): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number }, cb: (...args: unknown[]) => void) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return cb(err);
      const verdicts = addresses.map((a) => ({ a, v: checkAddress(list, hostname, a.address) }));
      const ok = verdicts.filter((x) => x.v.ok).map((x) => x.a);
      if (!ok.length) {
        const why = verdicts.map((x) => (x.v.ok ? '' : x.v.reason)).filter(Boolean)[0] ?? `${hostname} did not resolve`;
        return cb(new BlockedError(why));
      }
      if (options.all) cb(null, ok);
      else cb(null, ok[0]!.address, ok[0]!.family);
    });
  }) as LookupFunction;
}

function agentFor(list: AllowList, url: URL): http.Agent {
  let a = agents.get(list.spec);
  if (!a) {
    // The lookup goes with the agent's connection options, so every socket it opens is checked.
    const options = { keepAlive: true, timeout: 4_000, lookup: guardedLookup(list) };
    a = { http: new http.Agent(options), https: new https.Agent(options) };
    agents.set(list.spec, a);
  }
  return url.protocol === 'https:' ? a.https : a.http;
}

class ConnectTimeoutError extends Error {
  override name = 'ConnectTimeoutError';
}

/** One request, no redirects followed; resolves with the response head, the body still to read. */
function send(url: URL, opts: SafeFetchOptions, list: AllowList, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, {
      method: opts.method ?? 'GET',
      headers: { 'user-agent': 'panoptes-fetch/1', ...(opts.headers ?? {}) },
      agent: agentFor(list, url),
      lookup: guardedLookup(list),
      signal,
    }, resolve);
    req.on('error', reject);
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(new ConnectTimeoutError(`no connection within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    req.end();
  });
}

function checkUrl(list: AllowList, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SafeFetchError('bad_url', `not a URL: ${raw.slice(0, 200)}`, true);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SafeFetchError('bad_url', `scheme ${url.protocol} is not allowed`, true);
  if (url.username || url.password) throw new SafeFetchError('bad_url', 'credentials in URLs are not allowed', true);
  // IP literals never reach the lookup hook: check them here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const v = checkAddress(list, host, host);
    if (!v.ok) throw new SafeFetchError('blocked', `refused ${url.host}: ${v.reason}`, true);
  }
  return url;
}

function classify(err: unknown, deadline: AbortSignal): SafeFetchError {
  if (err instanceof SafeFetchError) return err;
  const chain: unknown[] = [];
  for (let e: unknown = err; e && chain.length < 5; e = (e as { cause?: unknown }).cause) chain.push(e);
  const blocked = chain.find((e) => e instanceof BlockedError) as BlockedError | undefined;
  if (blocked) return new SafeFetchError('blocked', `refused: ${blocked.message}`, true);
  if (deadline.aborted) return new SafeFetchError('timeout', 'timed out', false, { cause: err });
  const code = chain.map((e) => (e as { code?: string }).code).find(Boolean);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new SafeFetchError('dns', `could not resolve host (${code})`, false, { cause: err });
  if (chain.some((e) => e instanceof ConnectTimeoutError)) {
    return new SafeFetchError('timeout', (err as Error).message, false, { cause: err });
  }
  return new SafeFetchError('network', `${code ? `${code}: ` : ''}${(err as Error).message ?? String(err)}`, false, { cause: err });
}

/** Drops a body we will not read; the abort surfaces as an error event, which nobody needs. */
function discard(body: IncomingMessage): void {
  body.on('error', () => undefined);
  body.destroy();
}

export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeFetchResult> {
  const list = typeof opts.allow === 'string' ? parseAllowList(opts.allow) : opts.allow;
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxBytes = opts.maxBytes ?? DEFAULTS.maxBytes;
  const maxRedirects = opts.maxRedirects ?? DEFAULTS.maxRedirects;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([deadline, opts.signal]) : deadline;
  const redirects: string[] = [];
  let current = checkUrl(list, url);
  try {
    for (;;) {
      const res = await send(current, opts, list, signal);
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && status !== 304 && location) {
        discard(res);
        if (redirects.length >= maxRedirects) throw new SafeFetchError('too_many_redirects', `more than ${maxRedirects} redirects`, true);
        const next = new URL(Array.isArray(location) ? location[0]! : location, current).toString();
        redirects.push(next);
        current = checkUrl(list, next);
        continue;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxBytes) {
        discard(res);
        throw new SafeFetchError('too_large', `body is ${declared} bytes; the limit is ${maxBytes}`, true);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          discard(res);
          throw new SafeFetchError('too_large', `body exceeds the limit of ${maxBytes} bytes`, true);
        }
        chunks.push(chunk as Buffer);
      }
      return { status, headers: res.headers, body: Buffer.concat(chunks, size), url: current.toString(), redirects };
    }
  } catch (err) {
    throw classify(err, deadline);
  }
}
