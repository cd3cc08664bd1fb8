import * as z from 'zod';
import { cameraPath, cameraSource, limitParam, timeParam, timeZoneName } from '../clips/api.js';
import { CAMERA_ID_PATTERN } from '../clips/keys.js';
import { detectorSettingsSchema } from '../clips/registry/detector.js';
import { ruleSetSchema } from '../rules/schema.js';
import { error, isoOrNull, ok, route } from './route.js';

export { cameraPath };

const camera = z.looseObject({
  cameraId: z.string(),
  source: z.string().nullable(),
  name: z.string().nullable(),
  enabled: z.boolean(),
  owner: z.string().nullable(),
  leaseUntil: isoOrNull,
  lastClipStartAt: isoOrNull,
  lastClipAt: isoOrNull,
  rulesUpdatedAt: isoOrNull,
  detectorUpdatedAt: isoOrNull,
  createdAt: isoOrNull,
}).meta({ id: 'Camera' });

const rule = z.looseObject({ id: z.string(), type: z.string() }).meta({ id: 'Rule' });

export const putCameraBody = z.strictObject({
  source: cameraSource.nullable().optional(),
  name: z.string().max(200).nullable().optional(),
  enabled: z.boolean().optional(),
  timezone: timeZoneName.nullable().optional(),
  staleAfterSeconds: z.number().int('must be an integer').min(10, 'must be ≥ 10').max(86_400, 'must be ≤ 86400').nullable().optional(),
});

const notRegistered = error('the camera is not registered');

export const putCamera = route({
  method: 'PUT', url: '/cameras/{cameraId}', operationId: 'putCamera', tag: 'cameras', auth: 'apiKey',
  summary: 'Register or update a camera (source, name, enabled)',
  path: cameraPath, body: putCameraBody,
  responses: { 200: ok('the camera', camera) },
});

export const getCamera = route({
  method: 'GET', url: '/cameras/{cameraId}', operationId: 'getCamera', tag: 'cameras', auth: 'apiKey',
  summary: 'A camera with its rules',
  path: cameraPath,
  responses: { 200: ok('the camera', z.looseObject({ ...camera.shape, rules: z.array(rule) })), 404: notRegistered },
});

export const deleteCamera = route({
  method: 'DELETE', url: '/cameras/{cameraId}', operationId: 'deleteCamera', tag: 'cameras', auth: 'apiKey',
  summary: 'Forget a camera',
  path: cameraPath,
  responses: { 204: { description: 'deleted' }, 404: notRegistered },
});

const rulesView = z.object({ cameraId: z.string(), rules: z.array(rule), filters: z.looseObject({}).optional(), updatedAt: isoOrNull });

export const putRules = route({
  method: 'PUT', url: '/cameras/{cameraId}/rules', operationId: 'putCameraRules', tag: 'cameras', auth: 'apiKey',
  summary: "Replace a camera's alarm rules (zone, loitering, line, crowding)",
  // The handler validates with parseRuleSet (ruleSetSchema) to word its errors; the document shows the same schema.
  path: cameraPath, body: z.unknown(), documentBody: ruleSetSchema,
  responses: { 200: ok('the stored rules', rulesView) },
});

export const getRules = route({
  method: 'GET', url: '/cameras/{cameraId}/rules', operationId: 'getCameraRules', tag: 'cameras', auth: 'apiKey',
  summary: "A camera's alarm rules",
  path: cameraPath,
  responses: { 200: ok('the rules', rulesView), 404: notRegistered },
});

/**
 * The camera's latest frame (written by the clip pipeline, shared/clips/snapshot.ts). A 302 to a
 * presigned JPEG URL by default (for <img>-like clients that can send the key); `?redirect=false`
 * answers `{ url }` JSON instead, for browsers, whose fetch() cannot read a redirect's Location.
 */
export const snapshot = route({
  method: 'GET', url: '/cameras/{cameraId}/snapshot', operationId: 'getCameraSnapshot', tag: 'cameras', auth: 'apiKey',
  summary: "Redirect to the camera's latest snapshot JPEG (`?redirect=false`: its URL as JSON)",
  path: cameraPath,
  query: z.object({
    redirect: z.enum(['true', 'false'], { error: 'must be true or false' }).default('true'),
  }),
  responses: {
    200: ok('the snapshot (redirect=false)', z.object({ cameraId: z.string(), url: z.string(), clipStartAt: isoOrNull, writtenAt: isoOrNull })),
    302: { description: 'redirect to a presigned URL of the JPEG', headers: { location: 'the presigned URL' } },
    404: error('no snapshot yet (no clip of this camera has been processed)'),
  },
});

const detectorView = z.object({
  cameraId: z.string(),
  settings: z.record(z.string(), z.unknown()),
  model: z.string(),
  defaults: z.record(z.string(), z.unknown()).optional(),
  updatedAt: isoOrNull,
}).meta({ id: 'DetectorView' });

export const putDetector = route({
  method: 'PUT', url: '/cameras/{cameraId}/detector', operationId: 'putCameraDetector', tag: 'cameras', auth: 'apiKey',
  summary: "Set a camera's detector settings (thresholds, size bounds, masks, count region)",
  path: cameraPath, body: detectorSettingsSchema,
  responses: { 200: ok('the settings in force', detectorView) },
});

export const getDetector = route({
  method: 'GET', url: '/cameras/{cameraId}/detector', operationId: 'getCameraDetector', tag: 'cameras', auth: 'apiKey',
  summary: "A camera's detector settings (the model's defaults when it has none)",
  path: cameraPath,
  responses: { 200: ok('the settings in force', detectorView) },
});

export const deleteDetector = route({
  method: 'DELETE', url: '/cameras/{cameraId}/detector', operationId: 'deleteCameraDetector', tag: 'cameras', auth: 'apiKey',
  summary: "Clear a camera's detector settings (back to the model's defaults)",
  path: cameraPath,
  responses: { 200: ok('the settings in force', detectorView) },
});

export const status = route({
  method: 'GET', url: '/cameras/status', operationId: 'getCamerasStatus', tag: 'cameras', auth: 'apiKey',
  summary: 'Every camera with its recording state and owner',
  responses: {
    200: ok('the cameras', z.object({
      at: z.string(),
      cameras: z.array(z.looseObject({
        cameraId: z.string(), source: z.string().nullable(), owner: z.string().nullable(), leaseUntil: isoOrNull,
        lastClipAt: isoOrNull, lastClipStartAt: isoOrNull, lastHeartbeatAt: isoOrNull, state: z.string(),
      })),
    })),
  },
});

export const clips = route({
  method: 'GET', url: '/cameras/{cameraId}/clips', operationId: 'listCameraClips', tag: 'cameras', auth: 'apiKey',
  summary: "A camera's clips in a time range, with their inference and tracking state",
  path: cameraPath,
  query: z.object({ from: timeParam.optional(), to: timeParam.optional(), limit: limitParam(1000, 200) }),
  responses: {
    200: ok('the clips', z.object({
      cameraId: z.string(),
      items: z.array(z.looseObject({ key: z.string().nullable(), startAt: isoOrNull, startMs: z.number(), size: z.number().nullable().optional(), tracks: z.array(z.unknown()), incidents: z.number() })),
    })),
  },
});

const alarm = z.looseObject({
  alarmId: z.string(),
  cameraId: z.string(),
  rule: z.string(),
  ruleType: z.string(),
  ruleName: z.string().nullable(),
  incidentKey: z.string(),
  startedAt: isoOrNull,
  endedAt: isoOrNull,
  trackIds: z.array(z.union([z.number(), z.string()])),
  createdAt: isoOrNull,
  replayComplete: z.boolean().nullable(),
  replayFrom: isoOrNull,
  replayTo: isoOrNull,
  replayReady: z.boolean(),
  pushStatus: z.string().nullable(),
  pushedAt: isoOrNull,
  pushAttempts: z.number().int(),
}).meta({ id: 'Alarm' });

export const listAlarms = route({
  method: 'GET', url: '/alarms', operationId: 'listAlarms', tag: 'alarms', auth: 'apiKey',
  summary: "A camera's alarms, newest first, paged; optionally one rule's only",
  query: z.object({
    cameraId: cameraPath.shape.cameraId,
    // A rule's `id` (GET /cameras/{id}/rules), or camera.offline / camera.online for health alarms.
    // Rule ids use the camera ids' alphabet (shared/rules/schema.ts).
    rule: z.string().regex(CAMERA_ID_PATTERN, 'must be a rule id: 1–64 characters of A–Z a–z 0–9 _ . -').optional(),
    from: timeParam.optional(),
    to: timeParam.optional(),
    limit: limitParam(100, 50),
    cursor: z.string().max(2048).optional(),
  }),
  // With `rule`, a page may hold fewer than `limit` (even none) and still have a nextCursor: the
  // server reads a bounded number of alarms per request (docs/clips.md).
  responses: { 200: ok('a page of alarms', z.object({ items: z.array(alarm), nextCursor: z.string().nullable() })) },
});

export const getAlarm = route({
  method: 'GET', url: '/alarms/{alarmId}', operationId: 'getAlarm', tag: 'alarms', auth: 'apiKey',
  summary: 'An alarm with its replay and snapshot URLs and push attempts',
  path: z.object({ alarmId: z.string().regex(/^al_[0-9a-f]{24}$/, 'not an alarm id') }),
  responses: {
    200: ok('the alarm', z.looseObject({
      ...alarm.shape,
      replayUrl: z.string().nullable(),
      snapshotUrl: z.string().nullable(),
      pushes: z.array(z.object({ attempt: z.number().int(), at: isoOrNull, ok: z.boolean(), httpStatus: z.number().int().nullable(), error: z.string().nullable(), ms: z.number() })),
    })),
    404: error('unknown alarm'),
  },
});

export const agentId = z.string().regex(CAMERA_ID_PATTERN, 'must be 1–64 characters of A–Z a–z 0–9 _ . -');
const cameraIds = z.array(z.string().regex(CAMERA_ID_PATTERN)).max(1000);

export const heartbeat = route({
  method: 'POST', url: '/agents/heartbeat', operationId: 'agentHeartbeat', tag: 'agents', auth: 'apiKey',
  summary: "A capture agent's heartbeat",
  body: z.strictObject({
    agentId,
    host: z.string().min(1).max(255),
    pid: z.number().int().nonnegative(),
    cameras: cameraIds,
    /** The agent's own interval: it is declared dead after 3 of them without a heartbeat. */
    intervalSeconds: z.number().int().min(1).max(300).optional(),
  }),
  responses: {
    200: ok('alive; `wasDead`: the agent had been given up on and must claim afresh', z.object({
      agentId: z.string(), state: z.literal('alive'), heartbeatSeconds: z.number(), deadAfterSeconds: z.number(), leaseSeconds: z.number(), wasDead: z.boolean(),
    })),
  },
});

export const claim = route({
  method: 'POST', url: '/agents/{agentId}/claim', operationId: 'agentClaim', tag: 'agents', auth: 'apiKey',
  summary: "Claim the agent's fair share of cameras (renew, take, release)",
  path: z.object({ agentId }),
  body: z.strictObject({ running: cameraIds.default([]), leaving: z.boolean().default(false) }),
  responses: {
    200: ok('the cameras the agent owns, and those it must release', z.object({
      agentId: z.string(), target: z.number().int(), leaseSeconds: z.number(), leaseUntil: isoOrNull,
      owned: z.array(z.object({ cameraId: z.string(), source: z.string() })), release: z.array(z.string()),
    })),
    409: error('the agent is not alive: heartbeat first'),
  },
});

export const listAgents = route({
  method: 'GET', url: '/agents', operationId: 'listAgents', tag: 'agents', auth: 'apiKey',
  summary: 'Capture agents and their state',
  responses: {
    200: ok('the agents', z.object({
      at: isoOrNull,
      agents: z.array(z.looseObject({
        agentId: z.string(), host: z.string(), pid: z.number().int(), cameras: z.array(z.string()), state: z.string(), alive: z.boolean(),
        intervalSeconds: z.number(), lastHeartbeatAt: isoOrNull, startedAt: isoOrNull, diedAt: isoOrNull,
      })),
    })),
  },
});
