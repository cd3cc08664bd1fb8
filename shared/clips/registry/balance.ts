/**
 * What one agent's claim does (pure; the handler applies it with conditional writes).
 *
 * Fair share: with N cameras to record and A live agents, nobody keeps more than ceil(N / A).
 * - Renew: the agent's cameras (valid lease) up to its share.
 * - Surplus: a camera it still runs is asked back (`release`: the agent stops it and reports it no
 *   longer running), one it no longer runs is freed at once. Never freed while it runs, so a
 *   rebalance cannot make two agents record one camera.
 * - Take: unowned or expired cameras, up to its share, after leaving enough for the live agents
 *   that own fewer than it (least-loaded agents first).
 */
import { isAlive, isTask, ownerOf, type AgentItem, type CameraItem } from './liveness.js';

export interface ClaimInput {
  agentId: string;
  now: number;
  cameras: readonly CameraItem[];
  agents: readonly AgentItem[];
  /** Cameras the agent runs right now. */
  running: ReadonlySet<string>;
  /** The agent is shutting down: give everything back. */
  leaving?: boolean;
}

export interface ClaimPlan {
  target: number;
  renew: CameraItem[];
  take: CameraItem[];
  /** Still running: the agent must stop these; freed at a later claim. */
  release: CameraItem[];
  /** Owned but not running any more: cleared now. */
  free: CameraItem[];
}

export function planClaim(input: ClaimInput): ClaimPlan {
  const { agentId: me, now, running } = input;
  const tasks = input.cameras.filter(isTask);
  const alive = input.agents.filter((a) => isAlive(a, now));
  const aliveIds = new Set(alive.map((a) => a.agentId));
  aliveIds.add(me);
  const target = Math.ceil(tasks.length / Math.max(1, aliveIds.size));

  // Everything the agent holds with a valid lease (tasks or not: a camera may have been disabled).
  const held = input.cameras.filter((c) => ownerOf(c, now) === me);
  const plan: ClaimPlan = { target, renew: [], take: [], release: [], free: [] };
  const giveBack = (c: CameraItem) => (running.has(c.cameraId) ? plan.release : plan.free).push(c);

  if (input.leaving) {
    held.forEach(giveBack);
    return plan;
  }
  const heldTasks = held
    .filter(isTask)
    // Keep the longest-held ones (fewer restarts); cameras already asked back go first.
    .sort((a, b) => Number(a.releaseRequestedAt !== undefined) - Number(b.releaseRequestedAt !== undefined) ||
      (a.ownerSince ?? 0) - (b.ownerSince ?? 0) || a.cameraId.localeCompare(b.cameraId));
  held.filter((c) => !isTask(c)).forEach(giveBack);
  plan.renew = heldTasks.slice(0, target);
  heldTasks.slice(target).forEach(giveBack);

  const pool = tasks
    .filter((c) => ownerOf(c, now) === undefined)
    .sort((a, b) => Number(b.owner === me) - Number(a.owner === me) || a.cameraId.localeCompare(b.cameraId));
  const load = new Map<string, number>();
  for (const c of tasks) {
    const o = ownerOf(c, now);
    if (o) load.set(o, (load.get(o) ?? 0) + 1);
  }
  const mine = plan.renew.length;
  // Live agents below us that are actively claiming get the first pick of the pool.
  let reserved = 0;
  for (const a of alive) {
    if (a.agentId === me) continue;
    const l = load.get(a.agentId) ?? 0;
    const claiming = a.lastClaimAt !== undefined && now - a.lastClaimAt <= 3 * a.intervalSeconds * 1000;
    if (claiming && l < mine) reserved += Math.max(0, target - l);
  }
  const room = Math.max(0, Math.min(target - mine, pool.length - reserved));
  plan.take = pool.slice(0, room);
  return plan;
}
