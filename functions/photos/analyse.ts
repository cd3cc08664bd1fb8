import type { Context, S3Event, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';
import { logger } from '../../shared/platform/logger.js';
import { parsePhotoKey } from '../../shared/photos/records.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { photoObjects } from '../../shared/photos/objects.js';
import { analysePhoto, type AnalyseDeps } from '../../shared/photos/analyse.js';
import { backoffSeconds } from '../../shared/platform/sqs/backoff.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { failureVerdict, sqsHandler, type Attempts } from '../../shared/platform/sqs/stack.js';
import { loadPersonModel } from '../../shared/vision/detect.js';
import { objectKey } from '../../shared/platform/s3-event.js';
import { cachedDetectorSettings, detectorSettingsOf } from '../../shared/clips/registry/detector.js';
import { camerasRepo } from '../../shared/clips/registry/store.js';

const cfg = {
  ...loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_BUCKET', 'PHOTOS_ANALYSE_QUEUE', 'PHOTOS_REPORT_QUEUE', 'PHOTOS_ANALYSE_MAX_ATTEMPTS'),
  // The camera registry: the camera whose detector settings count the photo.
  ...loadClipsSettings('CLIPS_CAMERAS_TABLE'),
};
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);
const deps: AnalyseDeps = {
  repo,
  objects: photoObjects(cfg.PHOTOS_BUCKET),
  reportQueue: cfg.PHOTOS_REPORT_QUEUE,
  // One registry read per camera per minute.
  cameraSettings: cachedDetectorSettings(detectorSettingsOf(camerasRepo(cfg)), 60_000),
  now: Date.now,
};

// Start loading the model with the container, not with the first photo.
void loadPersonModel().catch((err: unknown) => logger.error('person model failed to load', err as Error));

const attempts: Attempts<{ id: number }> = {
  max: cfg.PHOTOS_ANALYSE_MAX_ATTEMPTS,
  // Counted on the record: the S3 event's attempt and a sweeper re-drive are not SQS receives.
  number: async ({ body, receiveCount }) => Math.max(receiveCount, ((await repo.get(body.id))?.attempts.analyse ?? 0) + 1),
  retrying: ({ body }, err) => repo.recordAttempt(body.id, 'analyse', err.message, Date.now()),
  giveUp: ({ body }, reason) => repo.markFailed(body.id, 'analyse', reason, Date.now()),
  then: 'done',
};

/** Retries and sweeper re-drives arrive through the analyse queue (backoff, DLQ). */
const onMessage = sqsHandler({ body: z.object({ id: z.number().int().positive() }), attempts }, ({ body }) => analysePhoto(deps, body.id));

/**
 * A photo arrived in S3: its first attempt. A failure worth retrying moves to the analyse queue, so
 * the retries get SQS backoff and a DLQ; the stack's verdict decides, as it does for them.
 */
async function onObjects(event: S3Event): Promise<void> {
  for (const r of event.Records) {
    const key = objectKey(r);
    const parsed = parsePhotoKey(key);
    if (!parsed) {
      logger.warn('object is not a photo key: ignored', { key });
      continue;
    }
    try {
      await analysePhoto(deps, parsed.id, key);
    } catch (err) {
      const verdict = failureVerdict(err as Error, 1, attempts);
      if (!verdict.retry) {
        await repo.markFailed(parsed.id, 'analyse', verdict.reason, Date.now());
        continue;
      }
      logger.warn('analysis failed; will retry', { id: parsed.id, reason: (err as Error).message });
      await repo.recordAttempt(parsed.id, 'analyse', (err as Error).message, Date.now());
      await send(cfg.PHOTOS_ANALYSE_QUEUE, { body: { id: parsed.id }, delaySeconds: backoffSeconds(1) });
    }
  }
}

/** One function, two triggers: S3 ObjectCreated (photos/…) and the analyse queue. */
export const handler = async (event: S3Event | SQSEvent, context: Context) => {
  const first = event.Records?.[0] as { eventSource?: string } | undefined;
  if (first?.eventSource === 'aws:sqs') return onMessage(event as SQSEvent, context);
  return onObjects(event as S3Event);
};
