import { PublishCommand } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { sns } from '../../shared/platform/aws.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { logger } from '../../shared/platform/logger.js';
import * as api from '../../shared/api/clips.js';
import { iso } from '../../shared/clips/api.js';
import { claimCameras, recordHeartbeat } from '../../shared/clips/registry/agents.js';
import { isAlive } from '../../shared/clips/registry/liveness.js';
import { sweepAgents, type AgentDeadEvent } from '../../shared/clips/registry/monitor.js';
import { agentsRepo, camerasRepo } from '../../shared/clips/registry/store.js';
import { topicArn } from '../../shared/clips/registry/topic.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';

/**
 * Capture agents: heartbeat, claim (shared/clips/registry/agents.ts), list, and the scheduled monitor
 * that gives up on silent agents.
 */
const cfg = loadClipsSettings('CLIPS_AGENTS_TABLE', 'CLIPS_CAMERAS_TABLE', 'CLIPS_AGENT_HEARTBEAT_SECONDS', 'CLIPS_AGENT_RETENTION_DAYS', 'CLIPS_AGENT_EVENTS_TOPIC');
const repos = { agents: agentsRepo(cfg), cameras: camerasRepo(cfg) };

export const beat = httpHandler(api.heartbeat, async ({ body }) => {
  const r = await recordHeartbeat(repos, body, { defaultIntervalSeconds: cfg.CLIPS_AGENT_HEARTBEAT_SECONDS, now: Date.now() });
  return json(200, {
    agentId: body.agentId,
    state: 'alive',
    heartbeatSeconds: r.intervalSeconds,
    deadAfterSeconds: r.deadAfterSeconds,
    leaseSeconds: r.leaseSeconds,
    wasDead: r.wasDead,
  });
});

export const claim = httpHandler(api.claim, async ({ path, body }) => {
  const r = await claimCameras(repos, { agentId: path.agentId, running: body.running, leaving: body.leaving, now: Date.now() });
  return json(200, { agentId: path.agentId, target: r.target, leaseSeconds: r.leaseSeconds, leaseUntil: iso(r.leaseUntil), owned: r.owned, release: r.release });
});

export const list = httpHandler(api.listAgents, async () => {
  const now = Date.now();
  const agents = await repos.agents.scanAgents();
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
    if (!cfg.CLIPS_AGENT_EVENTS_TOPIC) return;
    await sns().send(new PublishCommand({
      TopicArn: topicArn(cfg.CLIPS_AGENT_EVENTS_TOPIC, context?.invokedFunctionArn),
      Message: JSON.stringify(e),
      MessageAttributes: { type: { DataType: 'String', StringValue: e.type }, agentId: { DataType: 'String', StringValue: e.agentId } },
    }));
  };
  return sweepAgents(repos, Date.now(), announce);
};
