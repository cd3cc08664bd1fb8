import * as z from 'zod';
import { batchBody, deletePath, extractBody, jobPath, searchBody } from '../search/requests.js';
import { error, ok, route } from './route.js';

const box = z.array(z.number()).meta({ description: '[x, y, w, h] in pixels' });
const forbidden = error('an app-bound key naming an image outside images/<appId>/');
const busy = error('the model or queue is not ready: retry (see Retry-After)');

export const extract = route({
  method: 'POST', url: '/features/extract', operationId: 'extractFeatures', tag: 'search', auth: 'apiKey',
  summary: 'Faces of one image (box, score, embedding); not indexed',
  body: extractBody,
  responses: {
    200: ok('the faces', z.object({
      faces: z.array(z.object({ box, score: z.number(), embedding: z.array(z.number()) })),
      model: z.string(), ms: z.number(), width: z.number().int(), height: z.number().int(),
    })),
    403: forbidden,
    404: error('the image does not exist'),
    422: error('not an image, or the URL failed'),
    503: busy,
  },
});

export const search = route({
  method: 'POST', url: '/search', operationId: 'searchFaces', tag: 'search', auth: 'apiKey',
  summary: "Similar faces: each of the query's faces with its best matches in the index",
  body: searchBody, maxBodyBytes: 10 * 1024 * 1024,
  responses: {
    200: ok('the matches, best first', z.object({
      faces: z.array(z.object({
        box, score: z.number(),
        matches: z.array(z.object({ imageKey: z.string(), faceIndex: z.number().int(), score: z.number(), box, url: z.string().meta({ description: 'presigned GET URL of the image (15 minutes)' }) })),
      })),
      model: z.string(),
      query: z.object({ source: z.string(), extractMs: z.number() }),
      index: z.object({ kind: z.string(), size: z.number().int(), version: z.number() }),
      ms: z.number(),
    })),
    403: forbidden,
    404: error('the image does not exist'),
    422: error('not an image'),
  },
});

const searchHealthBody = z.object({
  status: z.enum(['ok', 'degraded']),
  model: z.looseObject({ id: z.string(), dimension: z.number().int(), loaded: z.boolean() }),
  index: z.looseObject({ loaded: z.boolean() }),
});

export const health = route({
  method: 'GET', url: '/features/health', operationId: 'getSearchHealth', tag: 'search', auth: 'none',
  summary: 'Model loaded? Index loaded, its size and version',
  responses: { 200: ok('ready', searchHealthBody), 503: ok('model or index not ready', searchHealthBody) },
});

export const batch = route({
  method: 'POST', url: '/features/batch', operationId: 'submitFeaturesBatch', tag: 'search', auth: 'apiKey',
  summary: 'Up to 10,000 image keys: one extraction task each',
  body: batchBody, maxBodyBytes: 10 * 1024 * 1024,
  responses: {
    202: { ...ok('the job', z.object({ jobId: z.string(), total: z.number().int(), state: z.literal('running') })), headers: { location: '/features/jobs/{jobId}' } },
    403: forbidden,
    503: busy,
  },
});

export const job = route({
  method: 'GET', url: '/features/jobs/{jobId}', operationId: 'getFeaturesJob', tag: 'search', auth: 'apiKey',
  summary: 'Progress of a batch',
  path: jobPath,
  responses: {
    200: ok('the job', z.object({
      jobId: z.string(), total: z.number().int(), done: z.number().int(), failed: z.number().int(),
      state: z.enum(['queuing', 'running', 'completed', 'failed']), createdAt: z.string(), completedAt: z.string().optional(), expiresAt: z.string(), error: z.string().optional(),
    })),
    404: error('unknown or expired job'),
  },
});

export const remove = route({
  method: 'DELETE', url: '/features/{imageKey+}', operationId: 'deleteFeatures', tag: 'search', auth: 'apiKey',
  summary: 'Remove an image from the index (the object itself stays)',
  path: deletePath,
  responses: {
    200: ok('removed', z.object({ imageKey: z.string(), removed: z.literal(true), faces: z.number().int() })),
    403: forbidden,
    404: error('the image is not indexed'),
  },
});
