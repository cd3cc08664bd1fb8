/** Video analytics series of a camera: counting-line flow and zone occupancy (shared/clips/flow.ts). */
import * as z from 'zod';
import { cameraPath, timeParam } from '../clips/api.js';
import { BUCKETS } from '../clips/flow.js';
import { error, ok, route } from './route.js';

const bucketNames = Object.keys(BUCKETS) as [keyof typeof BUCKETS, ...Array<keyof typeof BUCKETS>];

export const seriesQuery = z.object({
  rule: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a rule id') }).regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a rule id (1–64 characters of A–Z a–z 0–9 _ . -)'),
  from: timeParam.optional(),
  to: timeParam.optional(),
  bucket: z.enum(bucketNames, { error: `must be one of ${bucketNames.join(', ')}` }).default('1h'),
});

const notRegistered = error('the camera is not registered');
const head = { cameraId: z.string(), rule: z.string(), bucket: z.string(), timezone: z.string(), from: z.string(), to: z.string() };

export const flow = route({
  method: 'GET', url: '/cameras/{cameraId}/flow', operationId: 'getCameraFlow', tag: 'analytics', auth: 'apiKey',
  summary: 'People crossing a counting line, in and out per bucket',
  description: 'Buckets align to the camera\'s time zone (its `timezone`, UTC by default). Default range: the last 24 h; at most 31 days and 2,000 buckets.',
  path: cameraPath, query: seriesQuery,
  responses: {
    200: ok('the series', z.object({ ...head, series: z.array(z.object({ start: z.string(), in: z.number(), out: z.number() })) })),
    404: notRegistered,
  },
});

export const occupancy = route({
  method: 'GET', url: '/cameras/{cameraId}/occupancy', operationId: 'getCameraOccupancy', tag: 'analytics', auth: 'apiKey',
  summary: 'People inside a zone, loitering or crowding rule: average and maximum per bucket',
  description: 'avg and max are null for a bucket without a sampled frame (no footage), 0 when footage showed nobody.',
  path: cameraPath, query: seriesQuery,
  responses: {
    200: ok('the series', z.object({ ...head, series: z.array(z.object({ start: z.string(), avg: z.number().nullable(), max: z.number().nullable() })) })),
    404: notRegistered,
  },
});
