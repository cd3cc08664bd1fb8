import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { loadConfig } from '../../shared/platform/config.js';
import { logger } from '../../shared/platform/logger.js';
import { isPermanentMediaError } from '../../shared/video/index.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { resultsKey } from '../../shared/clips/keys.js';
import { clipTag, inferenceTaskSchema, packResults } from '../../shared/clips/messages.js';
import { inferClip } from '../../shared/clips/inference.js';
import { recordClipError, recordInference } from '../../shared/clips/store.js';
import { storedDetectorSettings } from '../../shared/clips/registry/detector.js';
import { getCamera } from '../../shared/clips/registry/store.js';
import { writeLatestSnapshot, type SnapshotFields } from '../../shared/clips/snapshot.js';

/**
 * Inference task → frames at INFERENCE_FPS → shared person detector with the camera's detector settings
 * (read once per clip; none = the model's defaults) → one results message per clip
 * on the results FIFO queue (group = camera), or a pointer to S3 when the results are too big.
 * In AWS this runs from the inference container image (models and ffmpeg inside).
 */
const cfg = loadConfig({
  CLIPS_BUCKET: z.string().min(1),
  ARTIFACTS_BUCKET: z.string().min(1),
  RESULTS_QUEUE: z.string().min(1),
  INFERENCE_FPS: z.coerce.number().positive().max(30).default(2),
  // Read by shared/clips/registry/store.ts: the camera's detector settings.
  CAMERAS_TABLE: z.string().min(1),
  RESULTS_INLINE_MAX_BYTES: z.coerce.number().int().positive().max(250_000).default(200 * 1024),
});

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
  const cam = await getCamera(task.cameraId);
  const settings = storedDetectorSettings(cam);
  let result;
  try {
    result = await inferClip(clip, task, { fps: cfg.INFERENCE_FPS, settings });
  } catch (err) {
    // Not decodable media: retrying cannot help; record it and move on (the camera's next clips still flow).
    if (isPermanentMediaError(err)) {
      logger.error('clip is not decodable video', { key: task.key, error: (err as Error).message });
      await recordClipError(task.cameraId, task.startMs, `inference: ${(err as Error).message}`);
      return;
    }
    throw err;
  }
  const tag = clipTag(task.key, task.etag);
  const refKey = resultsKey(task.cameraId, task.startMs, tag);
  const packed = packResults(result.clip, refKey, cfg.RESULTS_INLINE_MAX_BYTES);
  if (!packed.inline) {
    await s3().send(new PutObjectCommand({ Bucket: cfg.ARTIFACTS_BUCKET, Key: refKey, Body: packed.json, ContentType: 'application/json' }));
  }
  await send(cfg.RESULTS_QUEUE, { body: packed.message, groupId: task.cameraId, dedupId: tag });
  await recordInference(task.cameraId, task.startMs, {
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
  await writeLatestSnapshot(task.cameraId, clip, task.startMs, (cam as SnapshotFields | null)?.snapshotStartMs, Date.now())
    .catch((err: Error) => logger.error('latest snapshot not written', { key: task.key, error: err.message }));
  logger.info('clip analysed', { key: task.key, frames: result.clip.frames.length, maxPersons: result.maxPersons, ms: Math.round(result.ms), inline: packed.inline });
});
