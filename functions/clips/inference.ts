import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../shared/platform/aws.js';
import { logger } from '../../shared/platform/logger.js';
import { isPermanentMediaError } from '../../shared/video/index.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { resultsKey } from '../../shared/clips/keys.js';
import { clipTag, inferenceTaskSchema, packResults } from '../../shared/clips/messages.js';
import { inferClip } from '../../shared/clips/inference.js';
import { clipIndexRepo } from '../../shared/clips/store.js';
import { storedDetectorSettings } from '../../shared/clips/registry/detector.js';
import { camerasRepo } from '../../shared/clips/registry/store.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';
import { writeLatestSnapshot, type SnapshotFields } from '../../shared/clips/snapshot.js';

/**
 * Inference task → frames at CLIPS_INFERENCE_FPS → shared person detector with the camera's detector settings
 * (read once per clip; none = the model's defaults) → one results message per clip
 * on the results FIFO queue (group = camera), or a pointer to S3 when the results are too big.
 * In AWS this runs from the inference container image (models and ffmpeg inside).
 */
const cfg = loadClipsSettings(
  'CLIPS_BUCKET', 'CLIPS_ARTIFACTS_BUCKET', 'CLIPS_RESULTS_QUEUE', 'CLIPS_INFERENCE_FPS', 'CLIPS_CAMERAS_TABLE',
  'CLIPS_TABLE', 'CLIPS_RETENTION_DAYS', 'CLIPS_RESULTS_INLINE_MAX_BYTES',
);
const cameras = camerasRepo(cfg);
const clips = clipIndexRepo(cfg);

export const handler = sqsHandler({ body: inferenceTaskSchema, fifo: true }, async ({ body: task }) => {
  let clip: Buffer;
  try {
    const obj = await s3().send(new GetObjectCommand({ Bucket: cfg.CLIPS_BUCKET, Key: task.key }));
    clip = Buffer.from(await obj.Body!.transformToByteArray());
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') {
      logger.warn('clip is gone; nothing to analyse', { key: task.key });
      return;
    }
    throw err;
  }
  // One read for both: the detector settings and which clip the latest snapshot is from.
  const cam = await cameras.getCamera(task.cameraId);
  const settings = storedDetectorSettings(cam);
  let result;
  try {
    result = await inferClip(clip, task, { fps: cfg.CLIPS_INFERENCE_FPS, settings });
  } catch (err) {
    // Not decodable media: retrying cannot help; record it and move on (the camera's next clips still flow).
    if (isPermanentMediaError(err)) {
      logger.error('clip is not decodable video', { key: task.key, error: (err as Error).message });
      await clips.recordClipError(task.cameraId, task.startMs, `inference: ${(err as Error).message}`);
      return;
    }
    throw err;
  }
  const tag = clipTag(task.key, task.etag);
  const refKey = resultsKey(task.cameraId, task.startMs, tag);
  const packed = packResults(result.clip, refKey, cfg.CLIPS_RESULTS_INLINE_MAX_BYTES);
  if (!packed.inline) {
    await s3().send(new PutObjectCommand({ Bucket: cfg.CLIPS_ARTIFACTS_BUCKET, Key: refKey, Body: packed.json, ContentType: 'application/json' }));
  }
  await send(cfg.CLIPS_RESULTS_QUEUE, { body: packed.message, groupId: task.cameraId, dedupId: tag });
  await clips.recordInference(task.cameraId, task.startMs, {
    durationMs: result.clip.durationMs,
    width: result.clip.width,
    height: result.clip.height,
    frames: result.clip.frames.length,
    maxPersons: result.maxPersons,
    inferenceMs: Math.round(result.ms),
    model: result.clip.model,
    ...(result.clip.licence ? { licence: result.clip.licence } : {}),
    now: Date.now(),
  });
  // The camera's latest frame (console wall, rules editor). Never fails the clip: the next one retries.
  await writeLatestSnapshot(cfg, task.cameraId, clip, task.startMs, (cam as SnapshotFields | null)?.snapshotStartMs, Date.now())
    .catch((err: Error) => logger.error('latest snapshot not written', { key: task.key, error: err.message }));
  logger.info('clip analysed', { key: task.key, frames: result.clip.frames.length, maxPersons: result.maxPersons, ms: Math.round(result.ms), inline: packed.inline });
});
