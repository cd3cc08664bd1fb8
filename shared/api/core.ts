import * as z from 'zod';
import { ID_KEY_PATTERN } from '../ids/allocator.js';
import { error, ok, route } from './route.js';

const dependency = z.union([
  z.object({ status: z.literal('up'), ms: z.number() }),
  z.object({ status: z.literal('down'), error: z.string() }),
]);
const healthBody = z.object({
  status: z.enum(['ok', 'degraded']),
  down: z.array(z.string()).optional(),
  stage: z.string().optional(),
  dependencies: z.record(z.string(), dependency),
});

export const health = route({
  method: 'GET', url: '/health', operationId: 'getHealth', tag: 'core', auth: 'none',
  summary: 'State of each dependency (DynamoDB, S3, SQS)',
  responses: { 200: ok('all dependencies up', healthBody), 503: ok('a dependency is down (named in `down`)', healthBody) },
});

export const ids = route({
  method: 'POST', url: '/ids/{key}', operationId: 'nextIds', tag: 'core', auth: 'apiKey',
  summary: 'N (1–1000) fresh, never-reused IDs for a key',
  path: z.object({ key: z.string().regex(ID_KEY_PATTERN, 'key must be 1-64 of [A-Za-z0-9_.-]') }),
  query: z.object({
    count: z.coerce.number({ message: 'count must be a number' }).int('count must be an integer').min(1, 'count must be between 1 and 1000').max(1000, 'count must be between 1 and 1000').default(1),
  }),
  responses: { 200: ok('the IDs, increasing', z.object({ key: z.string(), ids: z.array(z.number().int()) })) },
});

void error;
