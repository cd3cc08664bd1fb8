import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Context, S3Event, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';
import { PermanentError } from '../../shared/platform/errors.js';
import { logger } from '../../shared/platform/logger.js';
import { parsePhotoKey } from '../../shared/photos/model.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { applyResult } from '../../shared/photos/service.js';
import { backoffSeconds } from '../../shared/platform/sqs/backoff.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { isLastAttempt, sqsHandler } from '../../shared/platform/sqs/stack.js';
import { NotAnImageError, detectPersons, loadPersonModel } from '../../shared/vision/detect.js';
import { objectKey } from '../../shared/platform/s3-event.js';
import { cachedDetectorSettings, detectorSettingsOf } from '../../shared/clips/registry/detector.js';
import { camerasRepo } from '../../shared/clips/registry/store.js';

const cfg = {
  ...loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_BUCKET', 'PHOTOS_ANALYSE_QUEUE', 'PHOTOS_REPORT_QUEUE', 'PHOTOS_ANALYSE_MAX_ATTEMPTS'),
  // The camera registry: the camera whose detector settings count the photo.
  ...loadClipsSettings('CLIPS_CAMERAS_TABLE'),
};
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);
/** The photo's camera's detector settings ({} = the model's defaults), one read per camera per minute. */
const cameraSettings = cachedDetectorSettings(detectorSettingsOf(camerasRepo(cfg)), 60_000);

// Start loading the model with the container, not with the first photo.
void loadPersonModel().catch((err: unknown) => logger.error('person model failed to load', err as Error));

/** Counts the people in a stored photo and goes down the callback path (analysed → report queued). */
async function analyse(id: number, key?: string): Promise<void> {
  const rec = await repo.get(id);
  if (!rec) return logger.warn('analysis for an unknown photo: dropped', { id });
  if (rec.stage !== 'download' && rec.stage !== 'analyse') return; // analysed already, or failed
  const storedKey = key ?? rec.s3Key;
  if (!storedKey) throw new Error(`photo ${id} has no stored object yet`);
  const settings = cameraSettings(rec.cameraCode);
  settings.catch(() => undefined); // awaited below; a failed read must not be an unhandled rejection meanwhile
  let bytes: Uint8Array;
  try {
    const obj = await s3().send(new GetObjectCommand({ Bucket: cfg.PHOTOS_BUCKET, Key: storedKey }));
    bytes = await obj.Body!.transformToByteArray();
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') throw new PermanentError(`missing: s3://${cfg.PHOTOS_BUCKET}/${storedKey} does not exist`);
    throw err;
  }
  let found;
  try {
    found = await detectPersons(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), await settings);
  } catch (err) {
    if (err instanceof NotAnImageError) throw new PermanentError(`not_an_image: ${err.message}`);
    throw err;
  }
  const r = await applyResult(repo, cfg.PHOTOS_REPORT_QUEUE, id, {
    numOfPeople: found.count,
    ...(found.inRegion !== undefined ? { numInRegion: found.inRegion } : {}),
    detections: found.detections,
    model: found.model,
    licence: found.licence,
    inferenceMs: found.ms,
    by: 'detector',
  }, Date.now());
  if (r.outcome === 'conflict') logger.warn('detector disagrees with the stored count', { id, detector: found.count, stored: r.record.numOfPeople });
}

/** Runs one analysis; false when it failed in a way worth retrying (and the attempt was recorded). */
async function attempt(id: number, attemptNo: number, key?: string): Promise<boolean> {
  try {
    await analyse(id, key);
    return true;
  } catch (err) {
    const reason = (err as Error).message;
    if (err instanceof PermanentError) {
      await repo.markFailed(id, 'analyse', reason, Date.now());
      return true;
    }
    // Its first attempt runs off the S3 event, not an SQS delivery: the stack's rule, applied here.
    if (isLastAttempt(attemptNo, cfg.PHOTOS_ANALYSE_MAX_ATTEMPTS)) {
      await repo.markFailed(id, 'analyse', `gave up after ${attemptNo} attempts: ${reason}`, Date.now());
      return true;
    }
    logger.warn('analysis failed; will retry', { id, attemptNo, reason });
    await repo.recordAttempt(id, 'analyse', reason, Date.now());
    return false;
  }
}

/** Retries and sweeper re-drives arrive through the analyse queue (backoff, DLQ). */
const onMessage = sqsHandler({ body: z.object({ id: z.number().int().positive() }) }, async ({ body, receiveCount }) => {
  const rec = await repo.get(body.id);
  const attemptNo = Math.max(receiveCount, (rec?.attempts.analyse ?? 0) + 1);
  if (!(await attempt(body.id, attemptNo))) throw new Error(`analysis of photo ${body.id} failed (attempt ${attemptNo})`);
});

/** A photo arrived in S3. A failed analysis moves to the analyse queue, so it gets SQS backoff and a DLQ. */
async function onObjects(event: S3Event): Promise<void> {
  for (const r of event.Records) {
    const key = objectKey(r);
    const parsed = parsePhotoKey(key);
    if (!parsed) {
      logger.warn('object is not a photo key: ignored', { key });
      continue;
    }
    if (!(await attempt(parsed.id, 1, key))) {
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
