import * as z from 'zod';
import { countsQuery } from '../photos/counts.js';
import { CAMERA_CODE_RE, MAX_BATCH, itemSchema } from '../photos/intake.js';
import { STAGES } from '../photos/records.js';
import { idParam } from '../photos/params.js';
import { withinParam } from '../photos/stats.js';
import { errorBody, errorDetail, error, ok, route } from './route.js';

const intakeItem = itemSchema(Date.now());
const answer = z.union([
  z.object({ status: z.literal('success'), id: z.number().int(), duplicate: z.literal(true).optional() }),
  z.object({ status: z.literal('error'), message: z.string(), details: z.array(errorDetail) }),
]).meta({ id: 'PhotoIntakeAnswer' });

export const intake = route({
  method: 'POST', url: '/photos', operationId: 'announcePhotos', tag: 'photos', auth: 'apiKey',
  summary: 'Announce one photo (or an array of up to 100): queued for download, counting and report',
  rawBody: true, maxBodyBytes: 10 * 1024 * 1024,
  documentBody: z.union([intakeItem, z.array(intakeItem).min(1).max(MAX_BATCH)]),
  responses: {
    202: ok('accepted: `{ status, id }` for one, an array of answers for a batch', z.union([answer, z.array(answer)])),
    207: ok('a batch of which some items were refused (one answer per item)', z.array(answer)),
    400: ok('invalid body, or no valid item of a batch (`items` has one answer per item)', errorBody.extend({ items: z.array(answer.nullable()).optional() })),
  },
});

const record = z.looseObject({
  id: z.number().int(),
  cameraId: z.string(),
  cameraCode: z.string().meta({ deprecated: true, description: 'the same as cameraId (the seed\'s name)' }),
  photoUrl: z.string(),
  callTime: z.string(),
  createdAt: z.string(),
  stage: z.string(),
  status: z.string(),
  touchedAt: z.string(),
  downloaded: z.boolean(),
  analysed: z.boolean(),
  reported: z.boolean(),
  numOfPeople: z.number().optional(),
  numInRegion: z.number().optional(),
  attempts: z.record(z.string(), z.number()),
  lastError: z.record(z.string(), z.string()),
}).meta({ id: 'PhotoRecord' });

export const get = route({
  method: 'GET', url: '/photos/{id}', operationId: 'getPhoto', tag: 'photos', auth: 'apiKey',
  summary: 'A photo record and its progress through the stages',
  path: idParam,
  responses: { 200: ok('the record', record), 404: error('unknown id') },
});

export const pending = route({
  method: 'GET', url: '/photos', operationId: 'listPendingPhotos', tag: 'photos', auth: 'apiKey',
  summary: 'IDs still waiting at a stage, announced within a window',
  query: z.object({
    pending: z.enum(STAGES, { message: `pending must be one of ${STAGES.join(', ')}` }),
    within: withinParam('60m'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  }),
  responses: { 200: ok('the ids', z.object({ stage: z.enum(STAGES), within: z.string(), count: z.number().int(), ids: z.array(z.number().int()) })) },
});

export const stats = route({
  method: 'GET', url: '/photos/stats', operationId: 'getPhotoStats', tag: 'photos', auth: 'apiKey',
  summary: 'Pipeline state of the photos announced within a window: waiting per stage, done, failed',
  query: z.object({ within: withinParam('24h') }),
  responses: {
    200: ok('counts of the photos with callTime in [from, to]', z.object({
      within: z.string(),
      from: z.string(),
      to: z.string(),
      pending: z.object({ download: z.number().int(), analyse: z.number().int(), report: z.number().int() }),
      done: z.number().int(),
      failed: z.number().int(),
    }).meta({ id: 'PhotoStats' })),
  },
});

export const result = route({
  method: 'POST', url: '/photos/{id}/result', operationId: 'postPhotoResult', tag: 'photos', auth: 'apiKey',
  summary: "An external analyser's people count for a photo",
  path: idParam,
  body: z.object({
    numOfPeople: z.number({ message: 'numOfPeople is required (integer ≥ 0)' }).int('numOfPeople must be an integer').min(0, 'numOfPeople must be ≥ 0').max(100_000),
    detections: z
      .array(z.object({
        box: z.tuple([z.number(), z.number(), z.number().nonnegative(), z.number().nonnegative()], { message: 'box must be [x, y, w, h]' }),
        score: z.number().min(0).max(1),
      }))
      .max(1000)
      .optional(),
    model: z.string().min(1).max(200).optional(),
  }),
  responses: {
    200: ok('recorded (also for a repeat with the same count: `duplicate`)', z.object({ status: z.literal('success'), id: z.number().int(), numOfPeople: z.number().int(), duplicate: z.literal(true).optional() })),
    404: error('unknown id'),
    409: error('the photo already has a different count, or failed'),
  },
});

export const counts = route({
  method: 'GET', url: '/cameras/{cameraId}/counts', operationId: 'getCameraCounts', tag: 'photos', auth: 'apiKey',
  summary: 'People per time bucket (avg, max, min) over analysed photos of a camera',
  path: z.object({ cameraId: z.string().regex(CAMERA_CODE_RE, 'cameraId must be 1-64 of [A-Za-z0-9_-]') }),
  query: countsQuery,
  responses: {
    200: ok('the series', z.object({
      cameraId: z.string(), cameraCode: z.string().meta({ deprecated: true, description: 'the same as cameraId' }),
      from: z.string(), to: z.string(), bucket: z.string(),
      // true: the series is over numInRegion (photos counted with the camera's countRegion only).
      region: z.boolean(), photos: z.number().int(),
      series: z.array(z.object({ start: z.string(), photos: z.number().int(), avg: z.number(), max: z.number(), min: z.number() })),
    })),
  },
});
