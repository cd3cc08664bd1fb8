import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { badRequest, notFound } from '../../shared/platform/errors.js';
import { iso } from '../../shared/clips/api.js';
import * as api from '../../shared/api/clips.js';
import { decodeCursor, encodeCursor } from '../../shared/clips/alarms/cursor.js';
import type { AlarmItem } from '../../shared/clips/alarms/records.js';
import { alarmPushesRepo, alarmsRepo } from '../../shared/clips/alarms/store.js';
import { mediaUrls } from '../../shared/clips/alarms/urls.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';

/** GET /alarms?cameraId=&rule=&from=&to=&limit=&cursor= (newest first) and GET /alarms/{alarmId}. */
const cfg = loadClipsSettings(
  'CLIPS_ARTIFACTS_BUCKET', 'CLIPS_MEDIA_URL_TTL_SECONDS', 'CLIPS_ALARMS_TABLE', 'CLIPS_ALARM_PUSHES_TABLE', 'CLIPS_ALARM_RETENTION_DAYS',
);
const alarms = alarmsRepo(cfg);
const pushLog = alarmPushesRepo(cfg);

const view = (a: AlarmItem) => ({
  alarmId: a.alarmId,
  cameraId: a.cameraId,
  rule: a.ruleId,
  ruleType: a.ruleType,
  ruleName: a.ruleName ?? null,
  incidentKey: a.incidentKey,
  startedAt: iso(a.startedAt),
  endedAt: iso(a.endedAt),
  trackIds: a.trackIds,
  incidents: a.members?.length ?? 1,
  createdAt: iso(a.createdAt),
  replayComplete: a.replayComplete ?? null,
  replayFrom: iso(a.replayFromMs),
  replayTo: iso(a.replayToMs),
  replayReady: a.replayKey !== undefined,
  pushStatus: a.pushStatus ?? null,
  pushedAt: iso(a.pushedAt),
  pushAttempts: a.pushAttempts ?? 0,
  // Camera health alarms (ruleType camera.offline / camera.online): why.
  ...(a.reason !== undefined ? { reason: a.reason, agentId: a.agentId ?? null } : {}),
});

export const list = httpHandler(api.listAlarms, async ({ query }) => {
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  // A cursor is the index key of an alarm of this camera; anything else would make DynamoDB fail (500).
  const ours = cursor && cursor.cameraId === query.cameraId && typeof cursor.alarmId === 'string' && typeof cursor.startedAt === 'number';
  if (query.cursor !== undefined && !ours) throw badRequest('invalid query.cursor: not a cursor from this API for this camera', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  const fromMs = query.from ?? 0;
  const toMs = query.to ?? 8.64e15;
  if (toMs < fromMs) throw badRequest('invalid query.to: before from', [{ path: 'query.to', message: 'must not be before from' }]);
  const page = await alarms.listAlarms({ cameraId: query.cameraId, fromMs, toMs, limit: query.limit, ...(query.rule !== undefined ? { ruleId: query.rule } : {}), ...(cursor ? { cursor } : {}) });
  return json(200, { items: page.items.map(view), nextCursor: encodeCursor(page.last) ?? null });
});

export const get = httpHandler(api.getAlarm, async ({ path }) => {
  const alarm = await alarms.getAlarm(path.alarmId);
  if (!alarm) throw notFound(`alarm ${path.alarmId} not found`);
  const [urls, pushes] = await Promise.all([mediaUrls(cfg.CLIPS_ARTIFACTS_BUCKET, alarm, cfg.CLIPS_MEDIA_URL_TTL_SECONDS), pushLog.listPushAttempts(alarm.alarmId)]);
  return json(200, {
    ...view(alarm),
    replayUrl: urls.replayUrl ?? null,
    snapshotUrl: urls.snapshotUrl ?? null,
    pushes: pushes
      .sort((a, b) => a.attemptId.localeCompare(b.attemptId))
      .map((p) => ({ attempt: p.attempt, at: iso(p.at), ok: p.ok, httpStatus: p.httpStatus ?? null, error: p.error ?? null, ms: p.ms })),
  });
});
