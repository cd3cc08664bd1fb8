/**
 * One HTTP route of the API, as both the handler and the OpenAPI document see it: the handler passes
 * the route to `httpHandler` (which validates path, query and body with these very schemas) and
 * infra/openapi/document.ts renders every route into the OpenAPI 3.1 document. Response schemas
 * are declared here too: the e2e helper checks every answer against them.
 * Side-effect free: no configuration, no clients (the document is built from these at build time).
 */
import * as z from 'zod';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';

export interface Reply {
  description: string;
  /** JSON body schema (output); absent for answers without a body (204, 302, HEAD). */
  schema?: z.ZodType;
  /** Non-JSON body (e.g. 'application/octet-stream' for ranged media bytes). */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined> {
  method: Method;
  /** The URL path as in serverless.yml (`{name+}` for greedy parameters). */
  url: string;
  operationId: string;
  summary: string;
  tag: string;
  description?: string;
  auth: 'apiKey' | 'none';
  body?: B;
  query?: Q;
  /** Path parameters schema (what httpHandler validates `event.pathParameters` with). */
  path?: P;
  maxBodyBytes?: number;
  rawBody?: boolean;
  /** Body schema for the document when the handler parses the body itself (rawBody or z.unknown()). */
  documentBody?: z.ZodType;
  /** Content type of a raw body (default application/json). */
  bodyContentType?: string;
  /** Answers beyond the ones every route of its kind has (400/401/413/500 are added by the document). */
  responses: Record<number, Reply>;
}

/** Identity with inference: keeps the schemas' types for httpHandler. */
export function route<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined>(
  r: Route<B, Q, P>,
): Route<B, Q, P> {
  return r;
}

/** `{ status: 'error', error, message, details?, requestId }`: every error answer (shared/platform/http/stack.ts). */
export const errorDetail = z.object({ path: z.string(), message: z.string() }).meta({ id: 'ErrorDetail' });
export const errorBody = z
  .object({
    status: z.literal('error'),
    error: z.string().meta({ description: 'Error code, e.g. ValidationError, NotFound, Conflict' }),
    message: z.string().meta({ description: 'What went wrong, naming the field' }),
    details: z.array(errorDetail).optional(),
    requestId: z.string(),
  })
  .meta({ id: 'Error', description: 'Every error answer' });

/** ISO 8601 timestamp or null (shared/clips/api.ts `iso`). */
export const isoOrNull = z.string().nullable();
export const isoTime = z.string().meta({ format: 'date-time' });

export const ok = (description: string, schema: z.ZodType): Reply => ({ description, schema });
export const error = (description: string): Reply => ({ description, schema: errorBody });
