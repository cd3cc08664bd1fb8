/** DynamoDB access of the registry: one repository per table, cameras and agents. */
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../platform/aws.js';
import { expiresAfterDays, type ClipsSettings } from '../settings.js';
import { conditional, isConditionFailure, scanAll } from '../../platform/dynamo.js';
import type { CameraHealth, HealthChange } from './health.js';
import type { AgentItem, CameraItem } from './liveness.js';


/** A camera's registration fields; attributes left undefined are kept, `null` removes one. */
export interface CameraFields {
  source?: string | null;
  name?: string | null;
  enabled?: boolean;
  timezone?: string | null;
  staleAfterSeconds?: number | null;
  rules?: unknown;
}

/** The camera registry table (CLIPS_CAMERAS_TABLE). */
export function camerasRepo(s: Pick<ClipsSettings, 'CLIPS_CAMERAS_TABLE'>) {
  const table = s.CLIPS_CAMERAS_TABLE;

  async function getCamera(cameraId: string): Promise<CameraItem | null> {
    const r = await ddb().send(new GetCommand({ TableName: table, Key: { cameraId }, ConsistentRead: true }));
    return (r.Item as CameraItem | undefined) ?? null;
  }

  const scanCameras = () => scanAll<CameraItem>({ TableName: table, ConsistentRead: true });


  async function upsertCamera(cameraId: string, f: CameraFields, now: number): Promise<CameraItem> {
    const set: string[] = ['createdAt = if_not_exists(createdAt, :now)', 'updatedAt = :now'];
    const remove: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':now': now };
    const field = (k: keyof CameraFields, v: unknown) => {
      if (v === undefined) return;
      names[`#${k}`] = k;
      if (v === null) remove.push(`#${k}`);
      else {
        set.push(`#${k} = :${k}`);
        values[`:${k}`] = v;
      }
    };
    field('source', f.source);
    field('name', f.name);
    field('enabled', f.enabled);
    field('timezone', f.timezone);
    field('staleAfterSeconds', f.staleAfterSeconds);
    field('rules', f.rules);
    if (f.rules !== undefined) set.push('rulesUpdatedAt = :now');
    const r = await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { cameraId },
      UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }));
    return r.Attributes as CameraItem;
  }

  /** Stores a camera's detector settings (replacing the previous ones); creates the camera if need be. */
  async function setDetector(cameraId: string, settings: Record<string, unknown>, now: number): Promise<CameraItem> {
    const r = await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { cameraId },
      UpdateExpression: 'SET createdAt = if_not_exists(createdAt, :now), updatedAt = :now, detector = :d, detectorUpdatedAt = :now',
      ExpressionAttributeValues: { ':now': now, ':d': settings },
      ReturnValues: 'ALL_NEW',
    }));
    return r.Attributes as CameraItem;
  }

  /** Back to the model defaults; a camera that does not exist stays unregistered. */
  async function clearDetector(cameraId: string, now: number): Promise<CameraItem | null> {
    try {
      const r = await ddb().send(new UpdateCommand({
        TableName: table,
        Key: { cameraId },
        UpdateExpression: 'SET updatedAt = :now, detectorUpdatedAt = :now REMOVE detector',
        ConditionExpression: 'attribute_exists(cameraId)',
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }));
      return r.Attributes as CameraItem;
    } catch (err) {
      if (isConditionFailure(err)) return null;
      throw err;
    }
  }

  async function deleteCamera(cameraId: string): Promise<boolean> {
    const r = await ddb().send(new DeleteCommand({ TableName: table, Key: { cameraId }, ReturnValues: 'ALL_OLD' }));
    return Boolean(r.Attributes);
  }

  /** Last clip seen for a camera (creates the camera if clips come from an unregistered source). */
  async function noteClip(cameraId: string, c: { startMs: number; key: string; now: number }): Promise<void> {
    await conditional(new UpdateCommand({
      TableName: table,
      Key: { cameraId },
      UpdateExpression: 'SET createdAt = if_not_exists(createdAt, :now), lastClipStartMs = :s, lastClipKey = :k, lastClipAt = :now',
      ConditionExpression: 'attribute_not_exists(lastClipStartMs) OR lastClipStartMs <= :s',
      ExpressionAttributeValues: { ':now': c.now, ':s': c.startMs, ':k': c.key },
    }));
  }

  function renewLease(cameraId: string, agentId: string, leaseUntil: number): Promise<boolean> {
    return conditional(new UpdateCommand({
      TableName: table,
      Key: { cameraId },
      UpdateExpression: 'SET leaseUntil = :l REMOVE releaseRequestedAt',
      ConditionExpression: '#owner = :me',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':me': agentId, ':l': leaseUntil },
    }));
  }

  /** Takes a camera nobody owns (or whose lease ran out); the condition makes double ownership impossible. */
  function takeCamera(cameraId: string, agentId: string, leaseUntil: number, now: number): Promise<boolean> {
    return conditional(new UpdateCommand({
      TableName: table,
      Key: { cameraId },
      UpdateExpression: 'SET #owner = :me, leaseUntil = :l, ownerSince = :now REMOVE releaseRequestedAt',
      ConditionExpression: 'attribute_exists(#source) AND (attribute_not_exists(enabled) OR enabled = :true) AND ' +
        '(attribute_not_exists(#owner) OR attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
      ExpressionAttributeNames: { '#owner': 'owner', '#source': 'source' },
      ExpressionAttributeValues: { ':me': agentId, ':l': leaseUntil, ':now': now, ':true': true },
    }));
  }

  function requestRelease(cameraId: string, agentId: string, now: number): Promise<boolean> {
    return conditional(new UpdateCommand({
      TableName: table,
      Key: { cameraId },
      UpdateExpression: 'SET releaseRequestedAt = if_not_exists(releaseRequestedAt, :now)',
      ConditionExpression: '#owner = :me',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':me': agentId, ':now': now },
    }));
  }

  /**
   * Clears the owner if it is still `agentId`; with `expiredBefore`, only once the lease has run out
   * (the monitor never frees a camera whose owner may still be recording within its lease).
   */
  function freeCamera(cameraId: string, agentId: string, expiredBefore?: number): Promise<boolean> {
    return conditional(new UpdateCommand({
      TableName: table,
      Key: { cameraId },
      UpdateExpression: 'REMOVE #owner, leaseUntil, ownerSince, releaseRequestedAt',
      ConditionExpression: expiredBefore === undefined ? '#owner = :me' : '#owner = :me AND leaseUntil <= :t',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: { ':me': agentId, ...(expiredBefore === undefined ? {} : { ':t': expiredBefore }) },
    }));
  }

  /**
   * Records a transition. `expect` is what the caller judged: the previous state and, for the sweep,
   * the camera's `lastClipAt` (a clip arriving meanwhile voids the judgement, like `markDead`).
   */
  function setHealth(ch: HealthChange, now: number, expect: { from: CameraHealth; lastClipAt?: number | null }): Promise<boolean> {
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
      TableName: table,
      Key: { cameraId: ch.cameraId },
      UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
      ConditionExpression: cond.join(' AND '),
      ExpressionAttributeValues: values,
    }));
  }

  /** The transition's alarm is queued (only while the camera still points at that alarm). */
  function markHealthAlarmQueued(cameraId: string, alarmId: string, now: number): Promise<boolean> {
    return conditional(new UpdateCommand({
      TableName: table,
      Key: { cameraId },
      UpdateExpression: 'SET healthAlarmQueuedAt = :now',
      ConditionExpression: 'healthAlarmId = :id',
      ExpressionAttributeValues: { ':now': now, ':id': alarmId },
    }));
  }

  return { getCamera, scanCameras, upsertCamera, setDetector, clearDetector, deleteCamera, noteClip, renewLease, takeCamera, requestRelease, freeCamera, setHealth, markHealthAlarmQueued };
}
export type CamerasRepo = ReturnType<typeof camerasRepo>;

/** The capture agents table (CLIPS_AGENTS_TABLE); heartbeats keep an agent's item CLIPS_AGENT_RETENTION_DAYS. */
export function agentsRepo(s: Pick<ClipsSettings, 'CLIPS_AGENTS_TABLE' | 'CLIPS_AGENT_RETENTION_DAYS'>) {
  const table = s.CLIPS_AGENTS_TABLE;

  async function getAgent(agentId: string): Promise<AgentItem | null> {
    const r = await ddb().send(new GetCommand({ TableName: table, Key: { agentId }, ConsistentRead: true }));
    return (r.Item as AgentItem | undefined) ?? null;
  }

  const scanAgents = () => scanAll<AgentItem>({ TableName: table, ConsistentRead: true });

  /** Records a heartbeat; returns the previous item (a `dead` one means the agent was given up on). */
  async function heartbeat(h: { agentId: string; host: string; pid: number; cameras: string[]; intervalSeconds: number; now: number }): Promise<AgentItem | null> {
    const r = await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { agentId: h.agentId },
      UpdateExpression: 'SET host = :host, pid = :pid, cameras = :cams, intervalSeconds = :iv, lastHeartbeatAt = :now, #state = :alive, ' +
        'startedAt = if_not_exists(startedAt, :now), expiresAt = :exp',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: {
        ':host': h.host, ':pid': h.pid, ':cams': h.cameras, ':iv': h.intervalSeconds, ':now': h.now, ':alive': 'alive',
        ':exp': expiresAfterDays(h.now, s.CLIPS_AGENT_RETENTION_DAYS),
      },
      ReturnValues: 'ALL_OLD',
    }));
    const old = (r.Attributes as AgentItem | undefined) ?? null;
    if (old && old.state !== 'alive') {
      await ddb().send(new UpdateCommand({
        TableName: table,
        Key: { agentId: h.agentId },
        UpdateExpression: 'SET startedAt = :now ADD generation :one REMOVE diedAt',
        ExpressionAttributeValues: { ':now': h.now, ':one': 1 },
      }));
    }
    return old;
  }

  async function touchClaim(agentId: string, now: number): Promise<void> {
    await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { agentId },
      UpdateExpression: 'SET lastClaimAt = :now',
      ExpressionAttributeValues: { ':now': now },
    }));
  }

  /** alive → dead, only if no heartbeat arrived since the one the monitor judged. */
  function markDead(agentId: string, seenHeartbeatAt: number, now: number): Promise<boolean> {
    return conditional(new UpdateCommand({
      TableName: table,
      Key: { agentId },
      UpdateExpression: 'SET #state = :dead, diedAt = :now',
      ConditionExpression: '#state = :alive AND lastHeartbeatAt = :seen',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':dead': 'dead', ':alive': 'alive', ':seen': seenHeartbeatAt, ':now': now },
    }));
  }

  function markLeft(agentId: string, now: number): Promise<boolean> {
    return conditional(new UpdateCommand({
      TableName: table,
      Key: { agentId },
      UpdateExpression: 'SET #state = :left, diedAt = :now, cameras = :none',
      ConditionExpression: 'attribute_exists(agentId)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':left': 'left', ':now': now, ':none': [] },
    }));
  }

  return { getAgent, scanAgents, heartbeat, touchClaim, markDead, markLeft };
}
export type AgentsRepo = ReturnType<typeof agentsRepo>;
