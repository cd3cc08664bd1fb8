/**
 * Camera health, the I/O side (decisions: health.ts). The state lives on the camera's registry item
 * and changes only by conditional updates, so one transition is recorded however many sweeps (and
 * clip arrivals) race; each recorded transition becomes one alarm, handed to the alarm push queue
 * (the same consumer, webhook, attempt log, retries and DLQ as incident alarms; no replay).
 *
 * Order: state first, then the alarm. A crash in between leaves `healthAlarmId` without
 * `healthAlarmQueuedAt` on the camera; the next sweep re-creates the (deterministic) alarm and queues
 * its push. A push task sent twice is harmless: the push consumer skips a delivered alarm and the
 * webhook gets the same Idempotency-Key.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../platform/aws.js';
import { logger } from '../../platform/logger.js';
import { send } from '../../platform/sqs/queues.js';
import { resourceName } from '../env.js';
import { conditional } from '../../platform/dynamo.js';
import type { HealthAlarmType } from '../alarms/model.js';
import { alarmTtl, markPushQueued } from '../alarms/store.js';
import { scanAgents, scanCameras } from './store.js';
import { healthAlarm, healthAlarmId, healthTransition, judgeHealth, type CameraHealth, type HealthCamera } from './health.js';

const camerasTable = () => resourceName('CAMERAS_TABLE');
const alarmsTable = () => resourceName('ALARMS_TABLE');

export interface HealthChange {
  cameraId: string;
  to: CameraHealth;
  since: number;
  reason: string;
  alarmId: string;
  agentId?: string;
}


/**
 * Records a transition. `expect` is what the caller judged: the previous state and, for the sweep,
 * the camera's `lastClipAt` (a clip arriving meanwhile voids the judgement, like `markDead`).
 */
export function setHealth(ch: HealthChange, now: number, expect: { from: CameraHealth; lastClipAt?: number | null }): Promise<boolean> {
  const cond = ['attribute_exists(cameraId)'];
  const values: Record<string, unknown> = {
    ':to': ch.to, ':now': now, ':since': ch.since, ':reason': ch.reason, ':id': ch.alarmId, ':from': expect.from,
  };
  cond.push(expect.from === 'online' ? '(attribute_not_exists(health) OR health = :from)' : 'health = :from');
  if (expect.lastClipAt === null) cond.push('attribute_not_exists(lastClipAt)');
  else if (expect.lastClipAt !== undefined) {
    cond.push('lastClipAt = :seen');
    values[':seen'] = expect.lastClipAt;
  }
  const set = ['health = :to', 'healthChangedAt = :now', 'healthSince = :since', 'healthReason = :reason', 'healthAlarmId = :id'];
  const remove = ['healthAlarmQueuedAt'];
  if (ch.agentId) {
    set.push('healthAgentId = :agent');
    values[':agent'] = ch.agentId;
  } else remove.push('healthAgentId');
  return conditional(new UpdateCommand({
    TableName: camerasTable(),
    Key: { cameraId: ch.cameraId },
    UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
    ConditionExpression: cond.join(' AND '),
    ExpressionAttributeValues: values,
  }));
}

/** Creates the transition's alarm (once: conditional put on its id) and queues its push (once). */
export async function raiseHealthAlarm(ch: HealthChange, detectedAt: number, pushQueue: string): Promise<void> {
  const type: HealthAlarmType = ch.to === 'offline' ? 'camera.offline' : 'camera.online';
  // No trackIds attribute: DynamoDB has no empty sets (the store reads a missing one as []).
  const { trackIds: _none, ...item } = healthAlarm({ ...ch, type, now: detectedAt, expiresAt: alarmTtl(detectedAt) });
  const created = await conditional(new PutCommand({ TableName: alarmsTable(), Item: item, ConditionExpression: 'attribute_not_exists(alarmId)' }));
  const cur = created ? undefined : (await ddb().send(new GetCommand({ TableName: alarmsTable(), Key: { alarmId: ch.alarmId }, ConsistentRead: true }))).Item;
  if (!cur || cur.pushQueuedAt === undefined) {
    // Send, then mark (as the replay builder does).
    await send(pushQueue, { body: { alarmId: ch.alarmId } });
    await markPushQueued(ch.alarmId, Date.now());
  }
  await conditional(new UpdateCommand({
    TableName: camerasTable(),
    Key: { cameraId: ch.cameraId },
    UpdateExpression: 'SET healthAlarmQueuedAt = :now',
    ConditionExpression: 'healthAlarmId = :id',
    ExpressionAttributeValues: { ':now': Date.now(), ':id': ch.alarmId },
  }));
  logger.info('camera health alarm queued', { ...ch, type, created });
}

/**
 * A clip of `cameraId` arrived at `now` (called where the registry notes the clip): an offline camera
 * is online again. One conditional write per clip, which fails (no change) unless the camera is offline.
 */
export async function clipArrived(cameraId: string, c: { key: string; now: number }, pushQueue: string): Promise<HealthChange | undefined> {
  const ch: HealthChange = { cameraId, to: 'online', since: c.now, reason: `clip ${c.key} arrived`, alarmId: healthAlarmId(cameraId, 'camera.online', c.now) };
  // lastClipAt = now: the registry took this clip as its newest (noteClip ignores older re-uploads).
  if (!(await setHealth(ch, c.now, { from: 'offline', lastClipAt: c.now }))) return undefined;
  await raiseHealthAlarm(ch, c.now, pushQueue);
  return ch;
}

export interface HealthSweepResult {
  offline: string[];
  online: string[];
  /** Transitions whose alarm a crash had left unqueued, queued now. */
  repaired: string[];
  errors: number;
}

/**
 * Judges every camera at `now`: transitions recorded by conditional writes, their alarms raised.
 * `repairAfterMs`: a transition without a queued alarm for that long is assumed interrupted.
 * `only`: restricts the sweep to some cameras (tests sharing a table).
 */
export async function sweepCameraHealth(
  now: number,
  o: { clipSeconds: number; pushQueue: string; repairAfterMs?: number; only?: (c: HealthCamera) => boolean },
): Promise<HealthSweepResult> {
  const [all, agents] = await Promise.all([scanCameras() as Promise<HealthCamera[]>, scanAgents()]);
  const cameras = o.only ? all.filter(o.only) : all;
  const result: HealthSweepResult = { offline: [], online: [], repaired: [], errors: 0 };
  for (const c of cameras) {
    try {
      const v = judgeHealth(c, agents, now, o.clipSeconds);
      const t = healthTransition(c, v);
      if (t) {
        const ch: HealthChange = {
          cameraId: c.cameraId, ...t,
          ...(v?.health === 'offline' && v.agentId ? { agentId: v.agentId } : {}),
        };
        const from: CameraHealth = t.to === 'offline' ? 'online' : 'offline';
        if (await setHealth(ch, now, { from, lastClipAt: c.lastClipAt ?? null })) {
          await raiseHealthAlarm(ch, now, o.pushQueue);
          result[t.to].push(c.cameraId);
        }
        continue;
      }
      if (c.health && c.healthAlarmId && c.healthAlarmQueuedAt === undefined && now - (c.healthChangedAt ?? 0) >= (o.repairAfterMs ?? 30_000)) {
        await raiseHealthAlarm({
          cameraId: c.cameraId, to: c.health, since: c.healthSince ?? c.healthChangedAt ?? now, reason: c.healthReason ?? '', alarmId: c.healthAlarmId,
          ...(c.healthAgentId ? { agentId: c.healthAgentId } : {}),
        }, c.healthChangedAt ?? now, o.pushQueue);
        result.repaired.push(c.cameraId);
      }
    } catch (err) {
      result.errors++;
      logger.error('camera health check failed', { cameraId: c.cameraId, error: (err as Error).message });
    }
  }
  if (result.offline.length || result.online.length || result.repaired.length) logger.info('camera health sweep', { ...result });
  return result;
}
