/**
 * The agent monitor's sweep: agents silent for 3 of their heartbeat intervals are marked dead, their
 * cameras go back to the pool (once their lease has run out: an agent that is merely cut off stops
 * recording by itself when its lease ends) and the death is announced.
 */
import { isAlive, type AgentItem } from './liveness.js';
import type { AgentsRepo, CamerasRepo } from './store.js';

export interface AgentDeadEvent {
  type: 'agent.dead';
  agentId: string;
  host: string;
  pid: number;
  lastHeartbeatAt: string;
  detectedAt: string;
  /** Cameras it last reported recording or still owned: it must stop them if it is in fact alive. */
  cameras: string[];
  /** Of those, back in the pool now; the others at the end of their lease. */
  freed: string[];
}

export interface SweepResult {
  dead: string[];
  freed: string[];
}

export async function sweepAgents(
  d: { agents: AgentsRepo; cameras: CamerasRepo },
  now: number,
  announce: (e: AgentDeadEvent) => Promise<void>,
): Promise<SweepResult> {
  const [agents, cameras] = await Promise.all([d.agents.scanAgents(), d.cameras.scanCameras()]);
  const byId = new Map<string, AgentItem>(agents.map((a) => [a.agentId, a]));
  const result: SweepResult = { dead: [], freed: [] };
  for (const a of agents) {
    if (a.state !== 'alive' || isAlive(a, now)) continue;
    // Conditional on the heartbeat we judged: one that arrives meanwhile keeps the agent alive.
    if (!(await d.agents.markDead(a.agentId, a.lastHeartbeatAt, now))) continue;
    a.state = 'dead';
    result.dead.push(a.agentId);
    const owned = cameras.filter((c) => c.owner === a.agentId);
    const freed: string[] = [];
    for (const c of owned) {
      if ((c.leaseUntil ?? 0) <= now && (await d.cameras.freeCamera(c.cameraId, a.agentId, now))) freed.push(c.cameraId);
    }
    result.freed.push(...freed);
    await announce({
      type: 'agent.dead',
      agentId: a.agentId,
      host: a.host,
      pid: a.pid,
      lastHeartbeatAt: new Date(a.lastHeartbeatAt).toISOString(),
      detectedAt: new Date(now).toISOString(),
      cameras: [...new Set([...(a.cameras ?? []), ...owned.map((c) => c.cameraId)])].sort(),
      freed,
    });
  }
  // Housekeeping: expired leases of agents that are gone (dead earlier, left, unknown).
  for (const c of cameras) {
    if (!c.owner || (c.leaseUntil ?? 0) > now || result.freed.includes(c.cameraId)) continue;
    const owner = byId.get(c.owner);
    if (owner && isAlive(owner, now)) continue;
    if (await d.cameras.freeCamera(c.cameraId, c.owner, now)) result.freed.push(c.cameraId);
  }
  return result;
}
