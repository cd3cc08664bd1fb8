/**
 * Camera health (issue 12 §5): a camera agents record (a source, not disabled) is **offline** when its
 * clips stopped arriving for `staleAfterSeconds` (default 3 × the clip length) or when an agent that
 * recorded it is dead and no clip arrived since; it is **online** again when a clip arrives. Each
 * transition is one alarm (`camera.offline` / `camera.online`) pushed through the alarm push path.
 * Pure decisions here; the DynamoDB and queue side is `health-sweep.ts`.
 */
import { alarmIdFor, type AlarmItem, type HealthAlarmType } from '../alarms/records.js';
import { deadAfterMs, isAlive, isTask, type AgentItem, type CameraItem } from './liveness.js';

export type CameraHealth = 'online' | 'offline';

/** Health attributes kept on the camera's registry item (absent `health` = online, never judged). */
export interface CameraHealthFields {
  health?: CameraHealth;
  /** When the current state was entered (epoch ms; the sweep's or the clip's arrival time). */
  healthChangedAt?: number;
  /** The state's reference time: offline → the last clip's arrival (or registration/claim when none); online → the clip that brought it back. */
  healthSince?: number;
  healthReason?: string;
  /** The dead agent, when that is why the camera is offline. */
  healthAgentId?: string;
  /** The transition's alarm; `healthAlarmQueuedAt` once it is on the push queue (a sweep repairs a missing one). */
  healthAlarmId?: string;
  healthAlarmQueuedAt?: number;
}

export type HealthCamera = CameraItem & CameraHealthFields;

export type HealthVerdict =
  | { health: 'online' }
  | { health: 'offline'; since: number; reason: string; agentId?: string };

export const staleAfterMs = (c: Pick<CameraItem, 'staleAfterSeconds'>, clipSeconds: number): number =>
  (c.staleAfterSeconds ?? 3 * clipSeconds) * 1000;

/**
 * When the agent was (or would be) declared dead; undefined for a live agent or one that left
 * (an agent that leaves gives its cameras back: staleness covers those).
 */
export function agentDeadAt(a: AgentItem, now: number): number | undefined {
  if (a.state === 'dead') return a.diedAt ?? a.lastHeartbeatAt + deadAfterMs(a.intervalSeconds);
  if (a.state === 'alive' && !isAlive(a, now)) return a.lastHeartbeatAt + deadAfterMs(a.intervalSeconds);
  return undefined;
}

/**
 * The verdict for one camera at `now`. Cameras that are not tasks (no source, or disabled) are not
 * judged (undefined). Dead agent: the camera's owner, or an agent whose last heartbeat reported
 * recording it, is dead (declared by the monitor, or silent for 3 intervals — the monitor's rule)
 * and no clip arrived after its death. Stale: `now − lastClipAt > staleAfter`; with no clip at all,
 * measured from the later of registration and the current claim.
 */
export function judgeHealth(c: HealthCamera, agents: readonly AgentItem[], now: number, clipSeconds: number): HealthVerdict | undefined {
  if (!isTask(c)) return undefined;
  const lastClip = c.lastClipAt;
  const since = lastClip ?? Math.max(c.createdAt ?? 0, c.ownerSince ?? 0);
  for (const a of agents) {
    if (a.agentId !== c.owner && !(a.cameras ?? []).includes(c.cameraId)) continue;
    const deadAt = agentDeadAt(a, now);
    if (deadAt !== undefined && deadAt > (lastClip ?? Number.NEGATIVE_INFINITY)) {
      return { health: 'offline', since, reason: `agent ${a.agentId} dead`, agentId: a.agentId };
    }
  }
  if (now - since > staleAfterMs(c, clipSeconds)) {
    return { health: 'offline', since, reason: `no clips for ${Math.floor((now - since) / 1000)} s` };
  }
  return { health: 'online' };
}

/** A recorded (or to be recorded) change of a camera's health. */
export interface HealthChange {
  cameraId: string;
  to: CameraHealth;
  since: number;
  reason: string;
  alarmId: string;
  agentId?: string;
}

export type HealthTransition =
  | { to: 'offline'; since: number; reason: string; alarmId: string }
  | { to: 'online'; since: number; reason: string; alarmId: string };

/** What the sweep should change, if anything (unset health counts as online: no alarm for a first "online"). */
export function healthTransition(c: HealthCamera, v: HealthVerdict | undefined): HealthTransition | undefined {
  if (!v) return undefined;
  const current: CameraHealth = c.health ?? 'online';
  if (v.health === 'offline' && current === 'online') {
    return { to: 'offline', since: v.since, reason: v.reason, alarmId: healthAlarmId(c.cameraId, 'camera.offline', v.since) };
  }
  // Normally the clip's arrival (dispatch) brings a camera back; this is the sweep's fallback.
  if (v.health === 'online' && current === 'offline' && c.lastClipAt !== undefined && c.lastClipAt > (c.healthSince ?? 0)) {
    return { to: 'online', since: c.lastClipAt, reason: 'clips arriving again', alarmId: healthAlarmId(c.cameraId, 'camera.online', c.lastClipAt) };
  }
  return undefined;
}

/**
 * Deterministic: camera + type + the state's reference time. Concurrent sweeps judging the same
 * camera item compute the same id (offline: the same last clip), and the conditional state change
 * lets only one of them record the transition anyway.
 */
export const healthAlarmId = (cameraId: string, type: HealthAlarmType, since: number): string =>
  alarmIdFor(cameraId, type, since);

export const isHealthAlarm = (a: Pick<AlarmItem, 'ruleType'>): boolean =>
  a.ruleType === 'camera.offline' || a.ruleType === 'camera.online';

/** The alarm item of a transition (no tracks, no replay). */
export function healthAlarm(x: { cameraId: string; type: HealthAlarmType; since: number; reason: string; alarmId: string; now: number; agentId?: string; expiresAt: number }): AlarmItem {
  return {
    alarmId: x.alarmId,
    cameraId: x.cameraId,
    incidentKey: `${x.type}#${x.since}`,
    ruleId: x.type,
    ruleType: x.type,
    reason: x.reason,
    ...(x.agentId ? { agentId: x.agentId } : {}),
    startedAt: x.since,
    endedAt: x.since,
    trackIds: [],
    createdAt: x.now,
    expiresAt: x.expiresAt,
  };
}

export interface HealthWebhookPayload {
  alarmId: string;
  type: HealthAlarmType;
  cameraId: string;
  since: string;
  reason: string;
  agentId: string | null;
  detectedAt: string;
  snapshotUrl: null;
  replayUrl: null;
}

export function healthWebhookPayload(a: AlarmItem): HealthWebhookPayload {
  return {
    alarmId: a.alarmId,
    type: a.ruleType as HealthAlarmType,
    cameraId: a.cameraId,
    since: new Date(a.startedAt).toISOString(),
    reason: a.reason ?? '',
    agentId: a.agentId ?? null,
    detectedAt: new Date(a.createdAt).toISOString(),
    snapshotUrl: null,
    replayUrl: null,
  };
}
