/** DynamoDB access of the registry: cameras (CAMERAS_TABLE) and agents (AGENTS_TABLE). */
import { DeleteCommand, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../platform/aws.js';
import { resourceName } from '../env.js';
import { conditional, isConditionFailure } from '../../platform/dynamo.js';
import type { AgentItem, CameraItem } from './liveness.js';

const camerasTable = () => resourceName('CAMERAS_TABLE');
const agentsTable = () => resourceName('AGENTS_TABLE');

async function scanAll<T>(TableName: string): Promise<T[]> {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const r = await ddb().send(new ScanCommand({ TableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    out.push(...((r.Items ?? []) as T[]));
    start = r.LastEvaluatedKey;
  } while (start);
  return out;
}


// ---- cameras ----------------------------------------------------------------------------------

export async function getCamera(cameraId: string): Promise<CameraItem | null> {
  const r = await ddb().send(new GetCommand({ TableName: camerasTable(), Key: { cameraId }, ConsistentRead: true }));
  return (r.Item as CameraItem | undefined) ?? null;
}

export const scanCameras = () => scanAll<CameraItem>(camerasTable());

/** Creates or updates a camera's registration; attributes left undefined are kept. `source: null` removes it. */
export interface CameraFields {
  source?: string | null;
  name?: string | null;
  enabled?: boolean;
  timezone?: string | null;
  staleAfterSeconds?: number | null;
  rules?: unknown;
}

export async function upsertCamera(cameraId: string, f: CameraFields, now: number): Promise<CameraItem> {
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
    TableName: camerasTable(),
    Key: { cameraId },
    UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
    ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  }));
  return r.Attributes as CameraItem;
}

/** Stores a camera's detector settings (replacing the previous ones); creates the camera if need be. */
export async function setDetector(cameraId: string, settings: Record<string, unknown>, now: number): Promise<CameraItem> {
  const r = await ddb().send(new UpdateCommand({
    TableName: camerasTable(),
    Key: { cameraId },
    UpdateExpression: 'SET createdAt = if_not_exists(createdAt, :now), updatedAt = :now, detector = :d, detectorUpdatedAt = :now',
    ExpressionAttributeValues: { ':now': now, ':d': settings },
    ReturnValues: 'ALL_NEW',
  }));
  return r.Attributes as CameraItem;
}

/** Back to the model defaults; a camera that does not exist stays unregistered. */
export async function clearDetector(cameraId: string, now: number): Promise<CameraItem | null> {
  try {
    const r = await ddb().send(new UpdateCommand({
      TableName: camerasTable(),
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

export async function deleteCamera(cameraId: string): Promise<boolean> {
  const r = await ddb().send(new DeleteCommand({ TableName: camerasTable(), Key: { cameraId }, ReturnValues: 'ALL_OLD' }));
  return Boolean(r.Attributes);
}

/** Last clip seen for a camera (creates the camera if clips come from an unregistered source). */
export async function noteClip(cameraId: string, c: { startMs: number; key: string; now: number }): Promise<void> {
  await conditional(new UpdateCommand({
    TableName: camerasTable(),
    Key: { cameraId },
    UpdateExpression: 'SET createdAt = if_not_exists(createdAt, :now), lastClipStartMs = :s, lastClipKey = :k, lastClipAt = :now',
    ConditionExpression: 'attribute_not_exists(lastClipStartMs) OR lastClipStartMs <= :s',
    ExpressionAttributeValues: { ':now': c.now, ':s': c.startMs, ':k': c.key },
  }));
}

export function renewLease(cameraId: string, agentId: string, leaseUntil: number): Promise<boolean> {
  return conditional(new UpdateCommand({
    TableName: camerasTable(),
    Key: { cameraId },
    UpdateExpression: 'SET leaseUntil = :l REMOVE releaseRequestedAt',
    ConditionExpression: '#owner = :me',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: { ':me': agentId, ':l': leaseUntil },
  }));
}

/** Takes a camera nobody owns (or whose lease ran out); the condition makes double ownership impossible. */
export function takeCamera(cameraId: string, agentId: string, leaseUntil: number, now: number): Promise<boolean> {
  return conditional(new UpdateCommand({
    TableName: camerasTable(),
    Key: { cameraId },
    UpdateExpression: 'SET #owner = :me, leaseUntil = :l, ownerSince = :now REMOVE releaseRequestedAt',
    ConditionExpression: 'attribute_exists(#source) AND (attribute_not_exists(enabled) OR enabled = :true) AND ' +
      '(attribute_not_exists(#owner) OR attribute_not_exists(leaseUntil) OR leaseUntil <= :now)',
    ExpressionAttributeNames: { '#owner': 'owner', '#source': 'source' },
    ExpressionAttributeValues: { ':me': agentId, ':l': leaseUntil, ':now': now, ':true': true },
  }));
}

export function requestRelease(cameraId: string, agentId: string, now: number): Promise<boolean> {
  return conditional(new UpdateCommand({
    TableName: camerasTable(),
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
export function freeCamera(cameraId: string, agentId: string, expiredBefore?: number): Promise<boolean> {
  return conditional(new UpdateCommand({
    TableName: camerasTable(),
    Key: { cameraId },
    UpdateExpression: 'REMOVE #owner, leaseUntil, ownerSince, releaseRequestedAt',
    ConditionExpression: expiredBefore === undefined ? '#owner = :me' : '#owner = :me AND leaseUntil <= :t',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: { ':me': agentId, ...(expiredBefore === undefined ? {} : { ':t': expiredBefore }) },
  }));
}

// ---- agents -----------------------------------------------------------------------------------

export async function getAgent(agentId: string): Promise<AgentItem | null> {
  const r = await ddb().send(new GetCommand({ TableName: agentsTable(), Key: { agentId }, ConsistentRead: true }));
  return (r.Item as AgentItem | undefined) ?? null;
}

export const scanAgents = () => scanAll<AgentItem>(agentsTable());

/** Records a heartbeat; returns the previous item (a `dead` one means the agent was given up on). */
export async function heartbeat(h: { agentId: string; host: string; pid: number; cameras: string[]; intervalSeconds: number; now: number; ttlSeconds: number }): Promise<AgentItem | null> {
  const r = await ddb().send(new UpdateCommand({
    TableName: agentsTable(),
    Key: { agentId: h.agentId },
    UpdateExpression: 'SET host = :host, pid = :pid, cameras = :cams, intervalSeconds = :iv, lastHeartbeatAt = :now, #state = :alive, ' +
      'startedAt = if_not_exists(startedAt, :now), expiresAt = :exp',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: {
      ':host': h.host, ':pid': h.pid, ':cams': h.cameras, ':iv': h.intervalSeconds, ':now': h.now, ':alive': 'alive',
      ':exp': Math.floor(h.now / 1000) + h.ttlSeconds,
    },
    ReturnValues: 'ALL_OLD',
  }));
  const old = (r.Attributes as AgentItem | undefined) ?? null;
  if (old && old.state !== 'alive') {
    await ddb().send(new UpdateCommand({
      TableName: agentsTable(),
      Key: { agentId: h.agentId },
      UpdateExpression: 'SET startedAt = :now ADD generation :one REMOVE diedAt',
      ExpressionAttributeValues: { ':now': h.now, ':one': 1 },
    }));
  }
  return old;
}

export async function touchClaim(agentId: string, now: number): Promise<void> {
  await ddb().send(new UpdateCommand({
    TableName: agentsTable(),
    Key: { agentId },
    UpdateExpression: 'SET lastClaimAt = :now',
    ExpressionAttributeValues: { ':now': now },
  }));
}

/** alive → dead, only if no heartbeat arrived since the one the monitor judged. */
export function markDead(agentId: string, seenHeartbeatAt: number, now: number): Promise<boolean> {
  return conditional(new UpdateCommand({
    TableName: agentsTable(),
    Key: { agentId },
    UpdateExpression: 'SET #state = :dead, diedAt = :now',
    ConditionExpression: '#state = :alive AND lastHeartbeatAt = :seen',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':dead': 'dead', ':alive': 'alive', ':seen': seenHeartbeatAt, ':now': now },
  }));
}

export function markLeft(agentId: string, now: number): Promise<boolean> {
  return conditional(new UpdateCommand({
    TableName: agentsTable(),
    Key: { agentId },
    UpdateExpression: 'SET #state = :left, diedAt = :now, cameras = :none',
    ConditionExpression: 'attribute_exists(agentId)',
    ExpressionAttributeNames: { '#state': 'state' },
    ExpressionAttributeValues: { ':left': 'left', ':now': now, ':none': [] },
  }));
}
