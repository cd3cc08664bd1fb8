import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpCors from '@middy/http-cors';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { badRequest, payloadTooLarge, toHttp } from '../errors.js';
import { logger } from '../logger.js';
import { parseOr400 } from '../validation.js';
import { authenticate, type Caller } from './auth.js';

export interface HttpRequest<B, Q, P> {
  body: B;
  query: Q;
  path: P;
  headers: Record<string, string | undefined>;
  caller?: Caller;
  requestId: string;
  event: APIGatewayProxyEventV2;
  rawBody?: Buffer;
}

export interface HttpReply {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` as is (a string, e.g. base64 with isBase64Encoded) instead of JSON. */
  raw?: boolean;
  isBase64Encoded?: boolean;
}

export interface HttpOptions<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  /** 'apiKey' (default for writes) requires x-api-key; 'none' for open reads. */
  auth: 'apiKey' | 'none';
  body?: B;
  query?: Q;
  path?: P;
  /** Bodies over this size are refused with 413 before parsing (default 256 KiB). */
  maxBodyBytes?: number;
  /** Leave the body unparsed (binary uploads). */
  rawBody?: boolean;
}

export const json = (statusCode: number, body: unknown, headers?: Record<string, string>): HttpReply => ({
  statusCode,
  body,
  ...(headers ? { headers } : {}),
});

type Out<T> = T extends z.ZodType ? z.infer<T> : undefined;

/** The HTTP middleware stack every endpoint uses: request id, logging, auth, body limits, validation, errors, CORS. */
export function httpHandler<B extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, P extends z.ZodType = z.ZodUndefined>(
  opts: HttpOptions<B, Q, P>,
  fn: (req: HttpRequest<Out<B>, Out<Q>, Out<P>>) => Promise<HttpReply>,
) {
  const maxBody = opts.maxBodyBytes ?? 256 * 1024;
  const core = async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const headers = (event.headers ?? {}) as Record<string, string | undefined>;
    const requestId = headers['x-request-id'] ?? context.awsRequestId ?? event.requestContext?.requestId;
    logger.appendKeys({ requestId, correlationId: headers['x-correlation-id'] ?? requestId });
    try {
      const caller = opts.auth === 'apiKey' ? authenticate(headers['x-api-key']) : optionalCaller(headers['x-api-key']);
      // API Gateway always hands over a string; serverless-offline parses JSON scalars (`false`, `1`) first.
      const text: unknown = event.body;
      const raw = text === undefined || text === null ? undefined
        : typeof text === 'string' ? Buffer.from(text, event.isBase64Encoded ? 'base64' : 'utf8')
          : Buffer.from(JSON.stringify(text), 'utf8');
      if (raw && raw.length > maxBody) throw payloadTooLarge(`body is ${raw.length} bytes; at most ${maxBody} accepted`);
      let body: unknown;
      if (opts.body && !opts.rawBody) {
        if (!raw || raw.length === 0) throw badRequest('request body is required (JSON)', [{ path: 'body', message: 'required' }]);
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw badRequest('request body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
        }
      }
      const req: HttpRequest<any, any, any> = {
        body: opts.body && !opts.rawBody ? parseOr400(opts.body, body, 'body') : undefined,
        query: opts.query ? parseOr400(opts.query, event.queryStringParameters ?? {}, 'query') : undefined,
        path: opts.path ? parseOr400(opts.path, event.pathParameters ?? {}, 'path') : undefined,
        headers,
        requestId,
        event,
        ...(caller ? { caller } : {}),
        ...(raw ? { rawBody: raw } : {}),
      };
      return render(await fn(req), requestId);
    } catch (err) {
      return render(errorReply(err, requestId), requestId);
    }
  };
  return middy(core)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(httpCors({ origin: '*', headers: 'content-type,x-api-key,x-request-id,range', exposeHeaders: 'content-range,content-length,etag,x-request-id' }));
}

function optionalCaller(key: string | undefined): Caller | undefined {
  if (!key) return undefined;
  try {
    return authenticate(key);
  } catch {
    return undefined;
  }
}

/** Never leaks a stack trace: unknown errors are logged and answered with a generic 500. */
export function errorReply(err: unknown, requestId: string): HttpReply {
  const http = toHttp(err);
  if (http) {
    return {
      statusCode: http.statusCode,
      body: { status: 'error', error: http.code, message: http.message, ...(http.details ? { details: http.details } : {}), requestId },
      ...(http.headers ? { headers: http.headers } : {}),
    };
  }
  logger.error('unhandled error', err as Error);
  return { statusCode: 500, body: { status: 'error', error: 'InternalError', message: 'internal error', requestId } };
}

function render(reply: HttpReply, requestId: string): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { 'x-request-id': requestId, ...(reply.headers ?? {}) };
  if (reply.body === undefined) return { statusCode: reply.statusCode, headers, body: '' };
  if (reply.raw) {
    return { statusCode: reply.statusCode, headers, body: String(reply.body), ...(reply.isBase64Encoded ? { isBase64Encoded: true } : {}) };
  }
  headers['content-type'] ??= 'application/json';
  return { statusCode: reply.statusCode, headers, body: JSON.stringify(reply.body) };
}
