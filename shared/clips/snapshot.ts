/**
 * The camera's latest frame, for the console's wall and rules editor: written by the inference step
 * (which already holds the clip and has ffmpeg) as `cameras/{cameraId}/latest.jpg` in the clip
 * artifacts bucket. The camera item's `snapshotStartMs` says which clip it shows, so only a newer
 * clip replaces it: a late redelivery of an old clip changes nothing (and costs no ffmpeg run).
 *
 * Not in the clips bucket: clips are `{cameraId}/{startMs}.mp4` with no common prefix, so that
 * bucket's 7-day expiry covers every key, and a camera that stopped sending clips would lose its
 * snapshot. The artifacts bucket expires only its own prefixes (infra/resources/clips.yml), and
 * `cameras/` is not one of them. Cameras whose item still names a snapshot written before the move
 * (`snapshots/{cameraId}/latest.jpg` in the clips bucket) are served from there until their next clip.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { s3 } from '../platform/aws.js';
import { conditional } from '../platform/dynamo.js';
import { snapshotJpeg } from '../video/snapshot.js';
import type { ClipsSettings } from './settings.js';

export const latestSnapshotKey = (cameraId: string): string => `cameras/${cameraId}/latest.jpg`;

/** The bucket (its environment variable) holding a camera item's `snapshotKey`. */
export const snapshotBucketVariable = (key: string): 'CLIPS_ARTIFACTS_BUCKET' | 'CLIPS_BUCKET' =>
  key.startsWith('snapshots/') ? 'CLIPS_BUCKET' : 'CLIPS_ARTIFACTS_BUCKET';

/** The camera item fields this writes (read by GET /cameras/{id}/snapshot). */
export interface SnapshotFields {
  snapshotStartMs?: number;
  snapshotKey?: string;
  snapshotAt?: number;
}

/**
 * Writes the clip's first frame as the latest snapshot when the clip is newer than the one shown.
 * `shownStartMs` is the camera's current `snapshotStartMs` (read with its detector settings).
 * Clips of one camera are processed in order (FIFO group = camera), so check-then-write does not race;
 * the conditional update still refuses to move the pointer backwards. Returns whether it wrote.
 */
export async function writeLatestSnapshot(
  s: Pick<ClipsSettings, 'CLIPS_ARTIFACTS_BUCKET' | 'CLIPS_CAMERAS_TABLE'>,
  cameraId: string,
  clip: Uint8Array,
  startMs: number,
  shownStartMs: number | undefined,
  now: number,
): Promise<boolean> {
  if (shownStartMs !== undefined && shownStartMs >= startMs) return false;
  const jpeg = await snapshotJpeg(clip, 0, { maxWidth: 1280 });
  const key = latestSnapshotKey(cameraId);
  await s3().send(new PutObjectCommand({
    Bucket: s.CLIPS_ARTIFACTS_BUCKET,
    Key: key,
    Body: jpeg,
    ContentType: 'image/jpeg',
    // Which clip this frame is from, for whoever looks at the object alone.
    Metadata: { 'clip-start-ms': String(startMs) },
  }));
  return conditional(new UpdateCommand({
    TableName: s.CLIPS_CAMERAS_TABLE,
    Key: { cameraId },
    UpdateExpression: 'SET createdAt = if_not_exists(createdAt, :now), snapshotStartMs = :s, snapshotKey = :k, snapshotAt = :now',
    ConditionExpression: 'attribute_not_exists(snapshotStartMs) OR snapshotStartMs < :s',
    ExpressionAttributeValues: { ':now': now, ':s': startMs, ':k': key },
  }));
}
