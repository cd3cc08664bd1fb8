import { PublishCommand } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { sns } from '../../shared/platform/aws.js';
import { loadConfig } from '../../shared/platform/config.js';
import { conflict } from '../../shared/platform/errors.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { logger } from '../../shared/platform/logger.js';
import * as api from '../../shared/api/clips.js';
import { iso } from '../../shared/clips/api.js';
import { planClaim } from '../../shared/clips/registry/balance.js';
import { deadAfterMs, isAlive, leaseMs } from '../../shared/clips/registry/liveness.js';
import { sweepAgents, type AgentDeadEvent } from '../../shared/clips/registry/monitor.js';
import {
  freeCamera, getAgent, heartbeat, markLeft, renewLease, requestRelease, scanAgents, scanCameras, takeCamera, touchClaim,
} from '../../shared/clips/registry/store.js';
import { topicArn } from '../../shared/clips/registry/topic.js';

/**
 * Capture agents: heartbeat, claim (fair share with conditional writes on the camera items: no lock
 * service, never two owners), list, and the scheduled monitor that gives up on silent agents.
 */
const cfg = loadConfig({
  AGENT_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  AGENT_RETENTION_DAYS: z.coerce.number().positive().default(7),
  AGENT_EVENTS_TOPIC: z.string().default(''),
});

export const beat = httpHandler(api.heartbeat, async ({ body }) => {
  const intervalSeconds = body.intervalSeconds ?? cfg.AGENT_HEARTBEAT_SECONDS;
  const old = await heartbeat({ ...body, intervalSeconds, now: Date.now(), ttlSeconds: cfg.AGENT_RETENTION_DAYS * 86_400 });
  return json(200, {
    agentId: body.agentId,
    state: 'alive',
    heartbeatSeconds: intervalSeconds,
    deadAfterSeconds: deadAfterMs(intervalSeconds) / 1000,
    leaseSeconds: leaseMs(intervalSeconds) / 1000,
    // Given up on (its cameras went back to the pool): the agent must stop everything and claim afresh.
    wasDead: old !== null && old.state === 'dead',
  });
});

export const claim = httpHandler(api.claim, async ({ path, body }) => {
  const me = path.agentId;
  const now = Date.now();
  const agent = await getAgent(me);
  if (!agent || (!body.leaving && !isAlive(agent, now))) {
    throw conflict(`agent ${me} is not alive: send POST /agents/heartbeat first`);
  }
  await touchClaim(me, now);
  const [cameras, agents] = await Promise.all([scanCameras(), scanAgents()]);
  const plan = planClaim({ agentId: me, now, cameras, agents, running: new Set(body.running), leaving: body.leaving });
  const leaseUntil = now + leaseMs(agent.intervalSeconds);
  const owned: Array<{ cameraId: string; source: string }> = [];
  for (const c of plan.renew) if (await renewLease(c.cameraId, me, leaseUntil)) owned.push({ cameraId: c.cameraId, source: c.source! });
  for (const c of plan.take) if (await takeCamera(c.cameraId, me, leaseUntil, now)) owned.push({ cameraId: c.cameraId, source: c.source! });
  const release: string[] = [];
  for (const c of plan.release) if (await requestRelease(c.cameraId, me, now)) release.push(c.cameraId);
  for (const c of plan.free) await freeCamera(c.cameraId, me);
  if (body.leaving) await markLeft(me, now);
  if (plan.take.length || plan.release.length || plan.free.length) {
    logger.info('claim', { agentId: me, target: plan.target, took: plan.take.map((c) => c.cameraId), release, freed: plan.free.map((c) => c.cameraId) });
  }
  return json(200, {
    agentId: me,
    target: plan.target,
    leaseSeconds: leaseMs(agent.intervalSeconds) / 1000,
    leaseUntil: iso(leaseUntil),
    owned: owned.sort((a, b) => a.cameraId.localeCompare(b.cameraId)),
    release,
  });
});

export const list = httpHandler(api.listAgents, async () => {
  const now = Date.now();
  const agents = await scanAgents();
  return json(200, {
    at: iso(now),
    agents: agents
      .sort((a, b) => a.agentId.localeCompare(b.agentId))
      .map((a) => ({
        agentId: a.agentId,
        host: a.host,
        pid: a.pid,
        cameras: a.cameras ?? [],
        state: a.state,
        alive: isAlive(a, now),
        intervalSeconds: a.intervalSeconds,
        lastHeartbeatAt: iso(a.lastHeartbeatAt),
        startedAt: iso(a.startedAt),
        diedAt: iso(a.diedAt),
      })),
  });
});

/** Scheduled (and invokable): marks silent agents dead, frees their cameras, announces it on SNS. */
export const monitor = async (_event: unknown, context?: Context) => {
  const announce = async (e: AgentDeadEvent) => {
    logger.warn('agent declared dead', { ...e });
    if (!cfg.AGENT_EVENTS_TOPIC) return;
    await sns().send(new PublishCommand({
      TopicArn: topicArn(cfg.AGENT_EVENTS_TOPIC, context?.invokedFunctionArn),
      Message: JSON.stringify(e),
      MessageAttributes: { type: { DataType: 'String', StringValue: e.type }, agentId: { DataType: 'String', StringValue: e.agentId } },
    }));
  };
  return sweepAgents(Date.now(), announce);
};
