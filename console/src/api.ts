/**
 * The console's way to the HTTP API: openapi-fetch over the types generated from the OpenAPI
 * document (cli/api/schema.ts, the same the CLI uses), so every path, parameter and answer is
 * checked by the compiler. The API address and the storage rewrite come from /config.json (written
 * by whoever serves the console: infra/local/console.ts locally, the deploy step on AWS); the key is
 * the operator's, typed in and kept in sessionStorage only — never in the bundle.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from '../../cli/api/schema.js';

export type Schemas = components['schemas'];
export type Api = Client<paths>;

export interface ConsoleConfig {
  /** Base URL of the HTTP API ('/api' when served through the local console server). */
  api: string;
  /**
   * Presigned object-storage URLs whose origin is a key here are fetched through the value instead
   * (locally: fauxqs answers no CORS preflight, so uploads go through the console server's proxy).
   */
  storage?: Record<string, string>;
}

const KEY = 'panoptes.apiKey';
let config: ConsoleConfig = { api: '/api' };

export async function loadConfig(): Promise<ConsoleConfig> {
  try {
    const res = await fetch('/config.json', { cache: 'no-store' });
    if (res.ok) config = { ...config, ...((await res.json()) as Partial<ConsoleConfig>) };
  } catch {
    /* served without a config: same-origin /api */
  }
  return config;
}

export const apiKey = () => sessionStorage.getItem(KEY);
export const setApiKey = (k: string | null) => (k ? sessionStorage.setItem(KEY, k) : sessionStorage.removeItem(KEY));

/** A client bound to the current key (a new one after the operator changes it). */
export function api(): Api {
  const key = apiKey();
  return createClient<paths>({
    baseUrl: config.api.replace(/\/+$/, ''),
    headers: key ? { 'x-api-key': key } : {},
    // 302s (media and image downloads) are answers: their Location is what the page wants.
    redirect: 'manual',
  });
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The offending fields, as the API names them (`body.rules.0.points`). */
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The data of a 2xx answer, or an ApiError carrying the API's message and field details. */
export async function call<D>(p: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let r: Awaited<typeof p>;
  try {
    r = await p;
  } catch (err) {
    throw new ApiError(0, `The API could not be reached (${(err as Error).message})`);
  }
  if (r.response.status >= 400 || r.error !== undefined) {
    const body = r.error as { message?: string; details?: { path: string; message: string }[] } | undefined;
    throw new ApiError(r.response.status, body?.message ?? `HTTP ${r.response.status}`, body?.details ?? []);
  }
  return r.data as D;
}

/** A presigned URL as this browser should fetch it (see ConsoleConfig.storage). */
export function storageUrl(url: string): string {
  for (const [from, to] of Object.entries(config.storage ?? {})) {
    if (url.startsWith(from)) return to.replace(/\/+$/, '') + url.slice(from.length);
  }
  return url;
}
