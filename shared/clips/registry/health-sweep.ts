/**
 * Camera health, the use cases (decisions: health.ts). The state lives on the camera's registry item
 * and changes only by conditional updates, so one transition is recorded however many sweeps (and
 * clip arrivals) race; each recorded transition becomes one alarm, handed to the alarm push queue
 * (the same consumer, webhook, attempt log, retries and DLQ as incident alarms; no replay).
 *
 * Order: state first, then the alarm. A crash in between leaves `healthAlarmId` without
 * `healthAlarmQueuedAt` on the camera; the next sweep re-creates the (deterministic) alarm and queues
 * its push. A push task sent twice is harmless: the push consumer skips a delivered alarm and the
 * webhook gets the same Idempotency-Key.
 */
import { logger } from '../../platform/logger.js';
import { send } from '../../platform/sqs/queues.js';
import type { HealthAlarmType } from '../alarms/records.js';
import type { AlarmsRepo } from '../alarms/store.js';
import type { AgentsRepo, CamerasRepo } from './store.js';
import {
  healthAlarm, healthAlarmId, healthTransition, judgeHealth, type CameraHealth, type HealthCamera, type HealthChange,
} from './health.js';

/** What the health use cases read and write, and where alarms go to be pushed. */
export interface HealthDeps {
  cameras: CamerasRepo;
  agents: AgentsRepo;
  alarms: AlarmsRepo;
  pushQueue: string;
}

/** Creates the transition's alarm (once: conditional put on its id) and queues its push (once). */
export async function raiseHealthAlarm(d: Omit<HealthDeps, 'agents'>, ch: HealthChange, detectedAt: number): Promise<void> {
  const type: HealthAlarmType = ch.to === 'offline' ? 'camera.offline' : 'camera.online';
  // No trackIds attribute: DynamoDB has no empty sets (the store reads a missing one as []).
  const { trackIds: _none, ...item } = healthAlarm({ ...ch, type, now: detectedAt, expiresAt: d.alarms.expiresAt(detectedAt) });
  const created = await d.alarms.createAlarm(item);
  const cur = created ? undefined : await d.alarms.getAlarm(ch.alarmId);
  if (!cur || cur.pushQueuedAt === undefined) {
    // Send, then mark (as the replay builder does).
    await send(d.pushQueue, { body: { alarmId: ch.alarmId } });
    await d.alarms.markPushQueued(ch.alarmId, Date.now());
  }
  await d.cameras.markHealthAlarmQueued(ch.cameraId, ch.alarmId, Date.now());
  logger.info('camera health alarm queued', { ...ch, type, created });
}

/**
 * A clip of `cameraId` arrived at `now` (called where the registry notes the clip): an offline camera
 * is online again. One conditional write per clip, which fails (no change) unless the camera is offline.
 */
export async function clipArrived(d: Omit<HealthDeps, 'agents'>, cameraId: string, c: { key: string; now: number }): Promise<HealthChange | undefined> {
  const ch: HealthChange = { cameraId, to: 'online', since: c.now, reason: `clip ${c.key} arrived`, alarmId: healthAlarmId(cameraId, 'camera.online', c.now) };
  // lastClipAt = now: the registry took this clip as its newest (noteClip ignores older re-uploads).
  if (!(await d.cameras.setHealth(ch, c.now, { from: 'offline', lastClipAt: c.now }))) return undefined;
  await raiseHealthAlarm(d, ch, c.now);
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
  d: HealthDeps,
  now: number,
  o: { clipSeconds: number; repairAfterMs?: number; only?: (c: HealthCamera) => boolean },
): Promise<HealthSweepResult> {
  const [all, agents] = await Promise.all([d.cameras.scanCameras() as Promise<HealthCamera[]>, d.agents.scanAgents()]);
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
        if (await d.cameras.setHealth(ch, now, { from, lastClipAt: c.lastClipAt ?? null })) {
          await raiseHealthAlarm(d, ch, now);
          result[t.to].push(c.cameraId);
        }
        continue;
      }
      if (c.health && c.healthAlarmId && c.healthAlarmQueuedAt === undefined && now - (c.healthChangedAt ?? 0) >= (o.repairAfterMs ?? 30_000)) {
        await raiseHealthAlarm(d, {
          cameraId: c.cameraId, to: c.health, since: c.healthSince ?? c.healthChangedAt ?? now, reason: c.healthReason ?? '', alarmId: c.healthAlarmId,
          ...(c.healthAgentId ? { agentId: c.healthAgentId } : {}),
        }, c.healthChangedAt ?? now);
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
