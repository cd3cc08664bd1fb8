/**
 * The OpenAPI 3.1 document, built from the routes (shared/api): the very zod schemas the handlers
 * validate with, rendered by zod-openapi. Request examples come from events/*.json (matched by
 * routeKey). `npm run build` writes it to dist/openapi/openapi.json (infra/openapi/build.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { routes, routeKey } from '../../shared/api/index.js';
import { errorBody, type Reply, type Route } from '../../shared/api/route.js';

const root = resolve(import.meta.dirname, '../..');

/** `{imageKey+}` (API Gateway greedy parameter) → `{imageKey}`. */
export const openApiPath = (url: string) => url.replace(/\{([^}+]+)\+\}/g, '{$1}');

interface EventExample { path?: Record<string, string>; query?: Record<string, string>; body?: unknown }

/** API Gateway events in events/ that name a route: their parameters and bodies become examples. */
export function eventExamples(dir = resolve(root, 'events')): Map<string, EventExample> {
  const out = new Map<string, EventExample>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const e = JSON.parse(readFileSync(resolve(dir, f), 'utf8')) as { routeKey?: string; pathParameters?: Record<string, string>; queryStringParameters?: Record<string, string>; body?: string };
    if (!e.routeKey || out.has(e.routeKey)) continue;
    let body: unknown;
    if (e.body) {
      try {
        body = JSON.parse(e.body);
      } catch {
        body = undefined;
      }
    }
    out.set(e.routeKey, {
      ...(e.pathParameters ? { path: e.pathParameters } : {}),
      ...(e.queryStringParameters ? { query: e.queryStringParameters } : {}),
      ...(body !== undefined ? { body } : {}),
    });
  }
  return out;
}

function reply(r: Reply, head: boolean) {
  const headers = r.headers
    ? Object.fromEntries(Object.entries(r.headers).map(([name, description]) => [name, { description, schema: { type: 'string' as const } }]))
    : undefined;
  const content = head ? undefined
    : r.schema ? { 'application/json': { schema: r.schema } }
      : r.contentType ? { [r.contentType]: { schema: z.string() } }
        : undefined;
  return { description: r.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
}

/** What every route of its kind can answer besides its own statuses (shared/platform/http/stack.ts). */
const gatewayError = z.looseObject({ message: z.string() }).meta({ id: 'GatewayError', description: "The API gateway's own answer (it never reached a function)" });

export function statusesOf(r: Route<any, any, any>): Record<number, Reply> {
  const validates = Boolean(r.path || r.query || r.body || r.documentBody || r.rawBody);
  const hasBody = Boolean(r.body || r.documentBody || r.rawBody);
  const err = (description: string): Reply => ({ description, schema: errorBody });
  const out: Record<number, Reply> = {};
  if (validates) out[400] = err('invalid request: `details` name the fields');
  if (r.auth === 'apiKey') out[401] = err('missing or invalid x-api-key header');
  // Over the API gateway's own payload limit (10 MB) the gateway answers before any function runs,
  // with its own body (API Gateway: `{ message }`; serverless-offline: `{ statusCode, error, message }`).
  if (hasBody) out[413] = { description: 'body too large (ours: the Error body; over 10 MB: the gateway\'s own `{ message }`)', schema: z.union([errorBody, gatewayError]) };
  out[500] = err('internal error (no details, never a stack trace)');
  return { ...out, ...r.responses };
}

function operation(r: Route<any, any, any>, example: EventExample | undefined): ZodOpenApiOperationObject {
  const head = r.method === 'HEAD';
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, rep] of Object.entries(statusesOf(r))) responses[status as '200'] = reply(rep, head);
  const bodySchema = r.documentBody ?? (r.body && !(r.body instanceof z.ZodUnknown) ? r.body : undefined);
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: [r.tag],
    security: r.auth === 'apiKey' ? [{ apiKey: [] }] : [],
    ...(r.path || r.query ? { requestParams: { ...(r.path ? { path: r.path } : {}), ...(r.query ? { query: r.query } : {}) } } : {}),
    ...(bodySchema
      ? {
        requestBody: {
          required: !(r.rawBody && r.url.endsWith('/complete')),
          content: { [r.bodyContentType ?? 'application/json']: { schema: bodySchema, ...(example?.body !== undefined ? { example: example.body } : {}) } },
        },
      }
      : {}),
    responses,
  };
}

/** The reference page lists tags in this order (others after). */
const TAG_ORDER = ['core', 'photos', 'media', 'cameras', 'analytics', 'alarms', 'agents', 'ftp', 'search', 'docs'];

export function buildDocument(opts: { serverUrl?: string } = {}) {
  const examples = eventExamples();
  const paths: ZodOpenApiPathsObject = {};
  for (const r of routes) {
    const p = (paths[openApiPath(r.url)] ??= {});
    (p as Record<string, unknown>)[r.method.toLowerCase()] = operation(r, examples.get(routeKey(r)));
  }
  const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { version: string; description: string };
  const doc = createDocument({
    openapi: '3.1.0',
    info: {
      title: 'panoptes API',
      version: pkg.version,
      description: `${pkg.description}.\n\nErrors are always \`{ status: 'error', error, message, details?, requestId }\`; \`details\` name the offending fields. Keys go in the \`x-api-key\` header.`,
    },
    servers: [{ url: opts.serverUrl ?? '/', description: 'this deployment' }],
    tags: [...new Set([...TAG_ORDER, ...routes.map((r) => r.tag)])].filter((t) => routes.some((r) => r.tag === t)).map((name) => ({ name })),
    components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    paths,
  });
  // Parameter examples from events/ (zod-openapi renders parameters; the examples are set afterwards).
  for (const r of routes) {
    const ex = examples.get(routeKey(r));
    if (!ex) continue;
    const op = (doc.paths?.[openApiPath(r.url)] as Record<string, { parameters?: Array<{ in: string; name: string; example?: unknown }> }>)[r.method.toLowerCase()];
    for (const p of op?.parameters ?? []) {
      const v = p.in === 'path' ? ex.path?.[p.name.replace(/\+$/, '')] : p.in === 'query' ? ex.query?.[p.name] : undefined;
      if (v !== undefined && !/^\{.*\}$/.test(v)) p.example = v;
    }
  }
  return doc;
}

export type OpenApiDocument = ReturnType<typeof buildDocument>;
