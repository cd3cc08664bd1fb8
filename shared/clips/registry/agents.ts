/**
 * Capture agents, the use cases behind the agent routes: a heartbeat, and a claim — the fair share of
 * cameras taken with conditional writes on the camera items (no lock service, never two owners).
 */
import { logger } from '../../platform/logger.js';
import { conflict } from '../../platform/errors.js';
import { planClaim } from './balance.js';
import { deadAfterMs, isAlive, leaseMs } from './liveness.js';
import type { AgentsRepo, CamerasRepo } from './store.js';

export interface HeartbeatResult {
  intervalSeconds: number;
  deadAfterSeconds: number;
  leaseSeconds: number;
  /** The agent had been given up on (its cameras went back to the pool): it must stop everything and claim afresh. */
  wasDead: boolean;
}

export async function recordHeartbeat(
  d: { agents: AgentsRepo },
  h: { agentId: string; host: string; pid: number; cameras: string[]; intervalSeconds?: number },
  o: { defaultIntervalSeconds: number; now: number },
): Promise<HeartbeatResult> {
  const intervalSeconds = h.intervalSeconds ?? o.defaultIntervalSeconds;
  const old = await d.agents.heartbeat({ ...h, intervalSeconds, now: o.now });
  return {
    intervalSeconds,
    deadAfterSeconds: deadAfterMs(intervalSeconds) / 1000,
    leaseSeconds: leaseMs(intervalSeconds) / 1000,
    wasDead: old !== null && old.state === 'dead',
  };
}

export interface ClaimResult {
  target: number;
  leaseSeconds: number;
  leaseUntil: number;
  /** Cameras the agent owns now (renewed or newly taken), by id. */
  owned: Array<{ cameraId: string; source: string }>;
  /** Cameras it should stop so that others can take them (fair share). */
  release: string[];
}

/** An alive agent's claim: renew its leases, take its share, hand back the surplus (all of it when leaving). */
export async function claimCameras(
  d: { agents: AgentsRepo; cameras: CamerasRepo },
  c: { agentId: string; running: string[]; leaving?: boolean; now: number },
): Promise<ClaimResult> {
  const me = c.agentId;
  const agent = await d.agents.getAgent(me);
  if (!agent || (!c.leaving && !isAlive(agent, c.now))) {
    throw conflict(`agent ${me} is not alive: send POST /agents/heartbeat first`);
  }
  await d.agents.touchClaim(me, c.now);
  const [cameras, agents] = await Promise.all([d.cameras.scanCameras(), d.agents.scanAgents()]);
  const plan = planClaim({ agentId: me, now: c.now, cameras, agents, running: new Set(c.running), leaving: c.leaving });
  const leaseUntil = c.now + leaseMs(agent.intervalSeconds);
  const owned: ClaimResult['owned'] = [];
  for (const cam of plan.renew) if (await d.cameras.renewLease(cam.cameraId, me, leaseUntil)) owned.push({ cameraId: cam.cameraId, source: cam.source! });
  for (const cam of plan.take) if (await d.cameras.takeCamera(cam.cameraId, me, leaseUntil, c.now)) owned.push({ cameraId: cam.cameraId, source: cam.source! });
  const release: string[] = [];
  for (const cam of plan.release) if (await d.cameras.requestRelease(cam.cameraId, me, c.now)) release.push(cam.cameraId);
  for (const cam of plan.free) await d.cameras.freeCamera(cam.cameraId, me);
  if (c.leaving) await d.agents.markLeft(me, c.now);
  if (plan.take.length || plan.release.length || plan.free.length) {
    logger.info('claim', { agentId: me, target: plan.target, took: plan.take.map((x) => x.cameraId), release, freed: plan.free.map((x) => x.cameraId) });
  }
  return {
    target: plan.target,
    leaseSeconds: leaseMs(agent.intervalSeconds) / 1000,
    leaseUntil,
    owned: owned.sort((a, b) => a.cameraId.localeCompare(b.cameraId)),
    release,
  };
}
