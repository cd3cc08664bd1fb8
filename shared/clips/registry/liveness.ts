import { iso } from '../../platform/time.js';

/**
 * Agent liveness and camera states. An agent announces its own heartbeat interval; it is dead after
 * `missed` (3) intervals without one, and a camera lease lasts the same span, renewed by each claim.
 */
export const DEFAULT_MISSED_HEARTBEATS = 3;

export interface AgentItem {
  agentId: string;
  host: string;
  pid: number;
  /** Cameras the agent reported running at its last heartbeat. */
  cameras: string[];
  intervalSeconds: number;
  lastHeartbeatAt: number;
  lastClaimAt?: number;
  state: 'alive' | 'dead' | 'left';
  startedAt: number;
  diedAt?: number;
  generation?: number;
  expiresAt?: number;
}

export interface CameraItem {
  cameraId: string;
  source?: string;
  name?: string;
  enabled?: boolean;
  /** IANA zone of the camera's site: rule schedules and daily buckets follow it (UTC when unset). */
  timezone?: string;
  /** Clips arriving no more often than this (s) mark the camera offline; unset = 3 × clip length. */
  staleAfterSeconds?: number;
  rules?: unknown;
  rulesUpdatedAt?: number;
  /** Detector settings (shared/clips/registry/detector.ts), used by photos and clips of this camera. */
  detector?: unknown;
  detectorUpdatedAt?: number;
  createdAt: number;
  updatedAt?: number;
  owner?: string;
  leaseUntil?: number;
  ownerSince?: number;
  releaseRequestedAt?: number;
  lastClipStartMs?: number;
  lastClipKey?: string;
  lastClipAt?: number;
}

export const deadAfterMs = (intervalSeconds: number, missed = DEFAULT_MISSED_HEARTBEATS) => missed * intervalSeconds * 1000;
export const leaseMs = deadAfterMs;

export function isAlive(a: Pick<AgentItem, 'state' | 'lastHeartbeatAt' | 'intervalSeconds'>, now: number, missed = DEFAULT_MISSED_HEARTBEATS): boolean {
  return a.state === 'alive' && now - a.lastHeartbeatAt <= deadAfterMs(a.intervalSeconds, missed);
}

/** A camera agents should record: it has a source and is not disabled. */
export const isTask = (c: CameraItem): boolean => Boolean(c.source) && c.enabled !== false;

/** Owned = an owner whose lease has not run out (whether or not that agent still heartbeats). */
export const ownerOf = (c: CameraItem, now: number): string | undefined =>
  c.owner && (c.leaseUntil ?? 0) > now ? c.owner : undefined;

export type CameraState =
  | 'recording' // owned by a live agent, clips arriving
  | 'starting' // just claimed, no clip yet
  | 'stalled' // owned by a live agent, but no clip for a while
  | 'orphaned' // the owner is dead or its lease ran out: back in the pool at the next claim
  | 'unassigned' // a task nobody owns
  | 'disabled'
  | 'receiving' // no source (clips come from elsewhere), clips arriving
  | 'idle'; // no source, no recent clip

export interface CameraStatus {
  cameraId: string;
  source: string | null;
  owner: string | null;
  leaseUntil: string | null;
  lastClipAt: string | null;
  lastClipStartAt: string | null;
  lastHeartbeatAt: string | null;
  state: CameraState;
}


/** `recentMs`: how old the last clip may be for the camera to count as recording (~3 clips). */
export function cameraStatus(c: CameraItem, agents: ReadonlyMap<string, AgentItem>, now: number, recentMs: number): CameraStatus {
  const owner = ownerOf(c, now);
  const agent = c.owner ? agents.get(c.owner) : undefined;
  const recent = c.lastClipAt !== undefined && now - c.lastClipAt <= recentMs;
  let state: CameraState;
  if (c.enabled === false) state = 'disabled';
  else if (!c.source) state = recent ? 'receiving' : 'idle';
  else if (!c.owner) state = 'unassigned';
  else if (!owner || !agent || !isAlive(agent, now)) state = 'orphaned';
  else if (recent) state = 'recording';
  else state = now - (c.ownerSince ?? 0) <= recentMs ? 'starting' : 'stalled';
  return {
    cameraId: c.cameraId,
    source: c.source ?? null,
    owner: c.owner ?? null,
    leaseUntil: iso(c.leaseUntil),
    lastClipAt: iso(c.lastClipAt),
    lastClipStartAt: iso(c.lastClipStartMs),
    lastHeartbeatAt: iso(agent?.lastHeartbeatAt),
    state,
  };
}
