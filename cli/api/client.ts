/**
 * The typed client of the HTTP API: openapi-fetch over the types that openapi-typescript generates
 * from the OpenAPI document (cli/api/schema.ts; `npm run openapi:types`). Paths, parameters, bodies
 * and answers are checked by the compiler against the document. Used by the CLI (media, calibrate).
 */
import createClient, { type Client } from 'openapi-fetch';
import pRetry, { AbortError } from 'p-retry';
import type { components, paths } from './schema.js';

export type { components, paths };
export type Schemas = components['schemas'];
export type ApiClient = Client<paths>;

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: unknown, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * A kept-alive connection the server closed while we were busy (e.g. calibrate detecting for seconds
 * between its GET and PUT) fails with a socket error before any answer: sent again when idempotent.
 */
async function retryingFetch(input: Request): Promise<Response> {
  return pRetry(async () => {
    try {
      return await fetch(input.clone());
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      const code = cause?.code ?? (err as { code?: string }).code;
      if (IDEMPOTENT.has(input.method) && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) throw err;
      throw new AbortError(err as Error);
    }
  }, { retries: 2, minTimeout: 100 });
}

export function apiClient(o: { api: string; key: string }): ApiClient {
  return createClient<paths>({
    baseUrl: o.api.replace(/\/+$/, ''),
    headers: { 'x-api-key': o.key },
    // 302s (media and image downloads) are answers, not something to follow.
    redirect: 'manual',
    fetch: retryingFetch,
  });
}

/** The data of a 2xx/3xx answer, or an ApiError with the server's message (`{ status, error, message, … }`). */
export function unwrap<D>(r: { data?: D; error?: unknown; response: Response }, what: string): D {
  if (r.response.status >= 400) {
    const body = r.error as { message?: string } | string | undefined;
    const msg = typeof body === 'object' && body?.message ? body.message : typeof body === 'string' && body ? body.slice(0, 200) : `HTTP ${r.response.status}`;
    throw new ApiError(r.response.status, r.error, `${what}: ${r.response.status} ${msg}`);
  }
  return r.data as D;
}
