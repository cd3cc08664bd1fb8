import type { S3Event } from 'aws-lambda';
import { logger } from '../../shared/platform/logger.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { parseClipKey } from '../../shared/clips/keys.js';
import { clipTag, type InferenceTask } from '../../shared/clips/messages.js';
import { alarmsRepo } from '../../shared/clips/alarms/store.js';
import { clipIndexRepo } from '../../shared/clips/store.js';
import { camerasRepo } from '../../shared/clips/registry/store.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';
import { clipArrived } from '../../shared/clips/registry/health-sweep.js';
import { objectKey } from '../../shared/platform/s3-event.js';

/**
 * S3 ObjectCreated on the clips bucket → one inference task on the FIFO queue, grouped by camera
 * (per-camera order). The same object (key + etag) is dispatched once, however often S3 reports it.
 */
const cfg = loadClipsSettings(
  'CLIPS_TABLE', 'CLIPS_RETENTION_DAYS', 'CLIPS_CAMERAS_TABLE', 'CLIPS_INFERENCE_QUEUE',
  'CLIPS_ALARMS_TABLE', 'CLIPS_ALARM_RETENTION_DAYS', 'CLIPS_PUSH_QUEUE',
);
const clips = clipIndexRepo(cfg);
const health = { cameras: camerasRepo(cfg), alarms: alarmsRepo(cfg), pushQueue: cfg.CLIPS_PUSH_QUEUE };

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
    const { alreadyDispatched } = await clips.recordUpload({ ...ref, key, etag, size, now });
    await health.cameras.noteClip(ref.cameraId, { startMs: ref.startMs, key, now });
    // An offline camera is online again (camera health, docs/clips.md). Never blocks the clip: the
    // health sweep repairs a transition whose alarm was not queued.
    await clipArrived(health, ref.cameraId, { key, now })
      .catch((err: Error) => logger.error('camera health: online transition failed', { cameraId: ref.cameraId, error: err.message }));
    if (alreadyDispatched) {
      logger.info('clip already dispatched (same object again)', { key, etag });
      continue;
    }
    const task: InferenceTask = { v: 1, cameraId: ref.cameraId, key, startMs: ref.startMs, etag, size };
    await send(cfg.CLIPS_INFERENCE_QUEUE, { body: task, groupId: ref.cameraId, dedupId: clipTag(key, etag) });
    await clips.markDispatched(ref.cameraId, ref.startMs, etag, now);
    logger.info('clip dispatched', { key, cameraId: ref.cameraId, startMs: ref.startMs });
  }
};
