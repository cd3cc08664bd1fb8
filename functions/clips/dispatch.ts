import type { S3Event } from 'aws-lambda';
import * as z from 'zod';
import { loadConfig } from '../../shared/platform/config.js';
import { logger } from '../../shared/platform/logger.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { parseClipKey } from '../../shared/clips/keys.js';
import { clipTag, type InferenceTask } from '../../shared/clips/messages.js';
import { markDispatched, recordUpload } from '../../shared/clips/store.js';
import { noteClip } from '../../shared/clips/registry/store.js';
import { clipArrived } from '../../shared/clips/registry/health-sweep.js';
import { objectKey } from '../../shared/platform/s3-event.js';

/**
 * S3 ObjectCreated on the clips bucket → one inference task on the FIFO queue, grouped by camera
 * (per-camera order). The same object (key + etag) is dispatched once, however often S3 reports it.
 */
const cfg = loadConfig({ INFERENCE_QUEUE: z.string().min(1), PUSH_QUEUE: z.string().default('') });

export const handler = async (event: S3Event): Promise<void> => {
  for (const r of event.Records) {
    const key = objectKey(r);
    const ref = parseClipKey(key);
    if (!ref) {
      logger.warn('ignoring object that is not {cameraId}/{startEpochMs}.mp4', { key });
      continue;
    }
    const etag = (r.s3.object.eTag ?? '').replaceAll('"', '');
    const size = r.s3.object.size ?? 0;
    const now = Date.now();
    const { alreadyDispatched } = await recordUpload({ ...ref, key, etag, size, now });
    await noteClip(ref.cameraId, { startMs: ref.startMs, key, now });
    // An offline camera is online again (camera health, docs/clips.md). Never blocks the clip: the
    // health sweep repairs a transition whose alarm was not queued.
    if (cfg.PUSH_QUEUE) {
      await clipArrived(ref.cameraId, { key, now }, cfg.PUSH_QUEUE)
        .catch((err: Error) => logger.error('camera health: online transition failed', { cameraId: ref.cameraId, error: err.message }));
    }
    if (alreadyDispatched) {
      logger.info('clip already dispatched (same object again)', { key, etag });
      continue;
    }
    const task: InferenceTask = { v: 1, cameraId: ref.cameraId, key, startMs: ref.startMs, etag, size };
    await send(cfg.INFERENCE_QUEUE, { body: task, groupId: ref.cameraId, dedupId: clipTag(key, etag) });
    await markDispatched(ref.cameraId, ref.startMs, etag, now);
    logger.info('clip dispatched', { key, cameraId: ref.cameraId, startMs: ref.startMs });
  }
};
