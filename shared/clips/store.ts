/**
 * DynamoDB access of the clip pipeline, one repository per table: the clip index (CLIPS_TABLE) and the
 * per-camera tracker and rules state (CLIPS_CAMERA_STATE_TABLE, versioned).
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../platform/aws.js';
import type { CameraState, TrackSummary } from './analyse.js';
import { isConditionFailure, queryAll } from '../platform/dynamo.js';
import { expiresAfterDays, type ClipsSettings } from './settings.js';

export interface ClipIndexItem {
  cameraId: string;
  startMs: number;
  key: string;
  etag: string;
  size: number;
  uploadedAt: number;
  uploads?: number;
  dispatchedAt?: number;
  dispatchedEtag?: string;
  durationMs?: number;
  width?: number;
  height?: number;
  frames?: number;
  maxPersons?: number;
  inferenceMs?: number;
  model?: string;
  licence?: string;
  inferredAt?: number;
  trackedAt?: number;
  tracks?: TrackSummary[];
  processedFrames?: number;
  ignoredFrames?: number;
  incidents?: number;
  ignoredAt?: number;
  lastIgnoredFrames?: number;
  error?: string;
  expiresAt?: number;
}

export interface StoredCameraState {
  state: CameraState;
  /** 0 when nothing is stored yet. */
  version: number;
}

/** The clip index (CLIPS_TABLE); an entry expires CLIPS_RETENTION_DAYS after its upload. */
export function clipIndexRepo(s: Pick<ClipsSettings, 'CLIPS_TABLE' | 'CLIPS_RETENTION_DAYS'>) {
  const table = s.CLIPS_TABLE;
  const ttl = (now: number) => expiresAfterDays(now, s.CLIPS_RETENTION_DAYS);

  /**
   * Records an upload; tells whether this exact object (key + etag) was already dispatched, i.e.
   * the same clip uploaded twice or an S3 event delivered twice.
   */
  async function recordUpload(c: { cameraId: string; startMs: number; key: string; etag: string; size: number; now: number }): Promise<{ alreadyDispatched: boolean }> {
    const r = await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { cameraId: c.cameraId, startMs: c.startMs },
      UpdateExpression: 'SET #key = :key, etag = :etag, #size = :size, uploadedAt = :now, expiresAt = :exp ADD uploads :one',
      ExpressionAttributeNames: { '#key': 'key', '#size': 'size' },
      ExpressionAttributeValues: { ':key': c.key, ':etag': c.etag, ':size': c.size, ':now': c.now, ':exp': ttl(c.now), ':one': 1 },
      ReturnValues: 'ALL_OLD',
    }));
    const old = r.Attributes as Partial<ClipIndexItem> | undefined;
    return { alreadyDispatched: Boolean(old?.dispatchedAt && old.dispatchedEtag === c.etag) };
  }

  async function markDispatched(cameraId: string, startMs: number, etag: string, now: number): Promise<void> {
    await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { cameraId, startMs },
      UpdateExpression: 'SET dispatchedAt = :now, dispatchedEtag = :etag REMOVE #error',
      ExpressionAttributeNames: { '#error': 'error' },
      ExpressionAttributeValues: { ':now': now, ':etag': etag },
    }));
  }

  async function recordInference(cameraId: string, startMs: number, f: {
    durationMs: number; width: number; height: number; frames: number; maxPersons: number; inferenceMs: number; model: string; licence?: string; now: number;
  }): Promise<void> {
    await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { cameraId, startMs },
      UpdateExpression: `SET durationMs = :d, width = :w, height = :h, frames = :f, maxPersons = :p, inferenceMs = :ms, model = :m, ${f.licence ? 'licence = :l, ' : ''}inferredAt = :now REMOVE #error`,
      ExpressionAttributeNames: { '#error': 'error' },
      ExpressionAttributeValues: { ':d': f.durationMs, ':w': f.width, ':h': f.height, ':f': f.frames, ':p': f.maxPersons, ':ms': f.inferenceMs, ':m': f.model, ':now': f.now, ...(f.licence ? { ':l': f.licence } : {}) },
    }));
  }

  async function recordTracking(cameraId: string, startMs: number, f: {
    tracks: TrackSummary[]; processedFrames: number; ignoredFrames: number; incidents: number; now: number;
  }): Promise<void> {
    await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { cameraId, startMs },
      UpdateExpression: 'SET tracks = :t, processedFrames = :p, ignoredFrames = :i, incidents = :n, trackedAt = :now',
      ExpressionAttributeValues: { ':t': f.tracks, ':p': f.processedFrames, ':i': f.ignoredFrames, ':n': f.incidents, ':now': f.now },
    }));
  }

  /** A clip whose frames the camera state had already passed (re-upload, redelivery, late clip). */
  async function recordIgnored(cameraId: string, startMs: number, f: { ignoredFrames: number; now: number }): Promise<void> {
    await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { cameraId, startMs },
      UpdateExpression: 'SET ignoredAt = :now, lastIgnoredFrames = :i',
      ExpressionAttributeValues: { ':i': f.ignoredFrames, ':now': f.now },
    }));
  }

  async function recordClipError(cameraId: string, startMs: number, message: string): Promise<void> {
    await ddb().send(new UpdateCommand({
      TableName: table,
      Key: { cameraId, startMs },
      UpdateExpression: 'SET #error = :e',
      ExpressionAttributeNames: { '#error': 'error' },
      ExpressionAttributeValues: { ':e': message.slice(0, 1000) },
    }));
  }

  /** Clips of a camera starting in [fromMs, toMs], oldest first. */
  async function listClips(cameraId: string, fromMs: number, toMs: number, limit = 1000): Promise<ClipIndexItem[]> {
    return queryAll<ClipIndexItem>({
      TableName: table,
      KeyConditionExpression: 'cameraId = :c AND startMs BETWEEN :f AND :t',
      ExpressionAttributeValues: { ':c': cameraId, ':f': fromMs, ':t': toMs },
    }, limit);
  }

  return { recordUpload, markDispatched, recordInference, recordTracking, recordIgnored, recordClipError, listClips };
}
export type ClipIndexRepo = ReturnType<typeof clipIndexRepo>;

/** Each camera's tracker and rules state (CLIPS_CAMERA_STATE_TABLE), written under a version condition. */
export function cameraStatesRepo(s: Pick<ClipsSettings, 'CLIPS_CAMERA_STATE_TABLE'>) {
  const table = s.CLIPS_CAMERA_STATE_TABLE;

  async function getCameraState(cameraId: string): Promise<StoredCameraState | null> {
    const r = await ddb().send(new GetCommand({ TableName: table, Key: { cameraId }, ConsistentRead: true }));
    if (!r.Item) return null;
    return { state: JSON.parse(String(r.Item.state)) as CameraState, version: Number(r.Item.version) };
  }

  /**
   * Writes the state if nobody else wrote since `expectedVersion` (optimistic concurrency: two
   * consumers of one camera cannot clobber each other). Returns false on a conflict.
   */
  async function putCameraState(cameraId: string, state: CameraState, expectedVersion: number, extra: { lastClipStartMs: number; now: number }): Promise<boolean> {
    try {
      await ddb().send(new PutCommand({
        TableName: table,
        // A JSON string round-trips the tracker's floats exactly and keeps DynamoDB's empty-map rules out of it.
        Item: { cameraId, state: JSON.stringify(state), version: expectedVersion + 1, lastClipStartMs: extra.lastClipStartMs, updatedAt: extra.now },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(cameraId)' : 'version = :v',
        ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':v': expectedVersion } }),
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  return { getCameraState, putCameraState };
}
export type CameraStatesRepo = ReturnType<typeof cameraStatesRepo>;
