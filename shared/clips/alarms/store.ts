/** DynamoDB access, one repository per table: alarms (CLIPS_ALARMS_TABLE, GSI byCamera) and push attempts (CLIPS_ALARM_PUSHES_TABLE). */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../platform/aws.js';
import { conditional, isConditionFailure } from '../../platform/dynamo.js';
import { expiresAfterDays, type ClipsSettings } from '../settings.js';
import type { AlarmItem } from './records.js';


/** DynamoDB sets come back as Set; the API speaks sorted arrays. */
function fromItem(item: Record<string, unknown>): AlarmItem {
  const t = item.trackIds;
  const trackIds = t instanceof Set ? [...t].map(Number) : Array.isArray(t) ? t.map(Number) : [];
  const m = item.members;
  const members = m instanceof Set ? [...m].map(String).sort() : undefined;
  return { ...(item as unknown as AlarmItem), trackIds: trackIds.sort((a, b) => a - b), ...(members ? { members } : {}) };
}

export interface AlarmPage {
  items: AlarmItem[];
  nextCursor?: string;
}

/** The byCamera index key of an alarm: where a page that stopped at it resumes. */
const indexKey = (a: Pick<AlarmItem, 'alarmId' | 'cameraId' | 'startedAt'>) => ({ alarmId: a.alarmId, cameraId: a.cameraId, startedAt: a.startedAt });

/** Read budget of a rule-filtered page: items read per query, queries per request. */
export const RULE_FILTER_READ = { items: 200, reads: 5 };

export interface PushAttempt {
  alarmId: string;
  /** `{epoch ms, 13 digits}#{messageId}#{receiveCount}`: sorts by time, unique per delivery. */
  attemptId: string;
  attempt: number;
  at: number;
  url: string;
  ok: boolean;
  httpStatus?: number;
  error?: string;
  ms: number;
  expiresAt?: number;
}

/** Alarms (CLIPS_ALARMS_TABLE); an alarm expires CLIPS_ALARM_RETENTION_DAYS after it started. */
export function alarmsRepo(s: Pick<ClipsSettings, 'CLIPS_ALARMS_TABLE' | 'CLIPS_ALARM_RETENTION_DAYS'>) {
  const table = s.CLIPS_ALARMS_TABLE;
  /** The TTL attribute of an alarm created at `now`. */
  const expiresAt = (now: number) => expiresAfterDays(now, s.CLIPS_ALARM_RETENTION_DAYS);

  /**
   * The incident de-duplication: a conditional put keyed on the incident's id. A later sighting of the
   * same incident only moves `endedAt` forward and adds track ids. Returns the stored alarm and
   * whether this call created it.
   */
  async function upsertIncident(a: Omit<AlarmItem, 'trackIds'> & { trackIds: number[] }): Promise<{ created: boolean; alarm: AlarmItem }> {
    const members = a.members?.length ? { members: new Set(a.members) } : {};
    try {
      await ddb().send(new PutCommand({
        TableName: table,
        Item: { ...a, trackIds: new Set(a.trackIds), ...members },
        ConditionExpression: 'attribute_not_exists(alarmId)',
      }));
      return { created: true, alarm: a };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    try {
      const r = await ddb().send(new UpdateCommand({
        TableName: table,
        Key: { alarmId: a.alarmId },
        // A cooldown group's later incidents join it: more tracks, more members, still one push.
        UpdateExpression: `SET endedAt = :e ADD trackIds :t${members.members ? ', members :m' : ''}`,
        ConditionExpression: 'attribute_exists(alarmId) AND endedAt < :e',
        ExpressionAttributeValues: { ':e': a.endedAt, ':t': new Set(a.trackIds), ...(members.members ? { ':m': members.members } : {}) },
        ReturnValues: 'ALL_NEW',
      }));
      return { created: false, alarm: fromItem(r.Attributes!) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Not newer (a redelivered clip): nothing to change.
      const cur = await getAlarm(a.alarmId);
      if (!cur) throw new Error(`alarm ${a.alarmId} vanished while being updated`, { cause: err });
      return { created: false, alarm: cur };
    }
  }

  /** Creates an alarm unless one with its id exists; true when this call created it. */
  function createAlarm(item: Omit<AlarmItem, 'trackIds'>): Promise<boolean> {
    return conditional(new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(alarmId)' }));
  }

  async function getAlarm(alarmId: string): Promise<AlarmItem | null> {
    const r = await ddb().send(new GetCommand({ TableName: table, Key: { alarmId }, ConsistentRead: true }));
    return r.Item ? fromItem(r.Item) : null;
  }

  /** Sets attributes of an existing alarm. */
  async function updateAlarm(alarmId: string, fields: Partial<AlarmItem>): Promise<void> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
    if (!entries.length) return;
    await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { alarmId },
      UpdateExpression: 'SET ' + entries.map((_, i) => `#k${i} = :v${i}`).join(', '),
      ConditionExpression: 'attribute_exists(alarmId)',
      ExpressionAttributeNames: Object.fromEntries(entries.map(([k], i) => [`#k${i}`, k])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([, v], i) => [`:v${i}`, v])),
    }));
  }

  /** Claims the right to enqueue the push (once per alarm). */
  async function markPushQueued(alarmId: string, now: number): Promise<boolean> {
    try {
      await ddb().send(new UpdateCommand({
        TableName: table,
        Key: { alarmId },
        UpdateExpression: 'SET pushQueuedAt = :now, pushStatus = :pending',
        ConditionExpression: 'attribute_exists(alarmId) AND attribute_not_exists(pushQueuedAt)',
        ExpressionAttributeValues: { ':now': now, ':pending': 'pending' },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /**
   * Alarms of a camera that started in [fromMs, toMs], newest first, paged by an opaque cursor.
   * `ruleId` keeps only that rule's alarms (a FilterExpression: DynamoDB applies it after reading, so
   * this reads on until `limit` match, the camera's alarms run out or the read budget is spent — a
   * short or empty page with `last` set means "more may follow"). When a read yields more matches
   * than fit, the page ends at the last one returned and `last` is that alarm's index key, so the
   * next page starts right after it.
   */
  async function listAlarms(q: {
    cameraId: string; fromMs: number; toMs: number; limit: number; ruleId?: string; cursor?: Record<string, unknown>;
    budget?: { items: number; reads: number };
  }): Promise<{ items: AlarmItem[]; last?: Record<string, unknown> }> {
    const filter = q.ruleId !== undefined;
    const budget = q.budget ?? RULE_FILTER_READ;
    const items: AlarmItem[] = [];
    let start = q.cursor;
    for (let reads = 0; ; reads++) {
      const r = await ddb().send(new QueryCommand({
        TableName: table,
        IndexName: 'byCamera',
        KeyConditionExpression: 'cameraId = :c AND startedAt BETWEEN :f AND :t',
        ExpressionAttributeValues: { ':c': q.cameraId, ':f': q.fromMs, ':t': q.toMs, ...(filter ? { ':r': q.ruleId } : {}) },
        ...(filter ? { FilterExpression: 'ruleId = :r', Limit: Math.max(budget.items, q.limit - items.length) } : { Limit: q.limit }),
        ScanIndexForward: false,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      const got = (r.Items ?? []).map(fromItem);
      const room = q.limit - items.length;
      if (got.length >= room) {
        items.push(...got.slice(0, room));
        // Full: resume after the last one returned, unless it was the read's last and nothing follows.
        const cut = got.length > room || r.LastEvaluatedKey;
        return { items, ...(cut ? { last: indexKey(items[items.length - 1]!) } : {}) };
      }
      items.push(...got);
      start = r.LastEvaluatedKey;
      if (!start || !filter || reads + 1 >= budget.reads) return { items, ...(start ? { last: start } : {}) };
    }
  }

  return { expiresAt, upsertIncident, createAlarm, getAlarm, updateAlarm, markPushQueued, listAlarms };
}
export type AlarmsRepo = ReturnType<typeof alarmsRepo>;

/** Push attempts of alarms (CLIPS_ALARM_PUSHES_TABLE), kept as long as alarms. */
export function alarmPushesRepo(s: Pick<ClipsSettings, 'CLIPS_ALARM_PUSHES_TABLE' | 'CLIPS_ALARM_RETENTION_DAYS'>) {
  const table = s.CLIPS_ALARM_PUSHES_TABLE;
  const expiresAt = (now: number) => expiresAfterDays(now, s.CLIPS_ALARM_RETENTION_DAYS);

  async function recordPushAttempt(p: PushAttempt): Promise<void> {
    await ddb().send(new PutCommand({ TableName: table, Item: { ...p, expiresAt: expiresAt(p.at) } }));
  }

  async function listPushAttempts(alarmId: string): Promise<PushAttempt[]> {
    const r = await ddb().send(new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'alarmId = :a',
      ExpressionAttributeValues: { ':a': alarmId },
    }));
    return (r.Items ?? []) as PushAttempt[];
  }

  return { recordPushAttempt, listPushAttempts };
}
export type AlarmPushesRepo = ReturnType<typeof alarmPushesRepo>;
