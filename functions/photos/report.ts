import * as z from 'zod';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { logger } from '../../shared/platform/logger.js';
import { idempotencyKey, reportOf } from '../../shared/photos/records.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_REPORT_URL', 'PHOTOS_REPORT_TIMEOUT_MS', 'PHOTOS_REPORT_MAX_ATTEMPTS');
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);

/**
 * Report consumer: POSTs the count to remote server 2 with `Idempotency-Key: photo-<id>` (the same on
 * every attempt, so the receiver can drop repeats). 2xx → reported; anything else retries with backoff.
 * The last receive before the DLQ (PHOTOS_REPORT_MAX_ATTEMPTS = maxReceiveCount) fails the record at report, so
 * it counts as failed rather than pending; the message still goes to the DLQ, and when `panoptes redrive`
 * brings it back a 2xx makes the record done.
 */
export const handler = sqsHandler({
  body: z.object({ id: z.number().int().positive() }),
  attempts: {
    max: cfg.PHOTOS_REPORT_MAX_ATTEMPTS,
    retrying: ({ body }, err) => repo.recordAttempt(body.id, 'report', err.message, Date.now()),
    giveUp: ({ body }, reason) => repo.markFailed(body.id, 'report', reason, Date.now()),
    then: 'dead-letter',
  },
}, async ({ body }) => {
  const rec = await repo.get(body.id);
  if (!rec) return logger.warn('report for an unknown photo: dropped', { id: body.id });
  if (rec.reported) return;
  if (rec.stage !== 'report' && !(rec.stage === 'failed' && rec.failedStage === 'report')) {
    return logger.warn('report for a photo that is not ready: dropped', { id: rec.id, stage: rec.stage });
  }
  let error: string;
  try {
    const res = await fetch(cfg.PHOTOS_REPORT_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey(rec.id) },
      body: JSON.stringify(reportOf(rec)),
      signal: AbortSignal.timeout(cfg.PHOTOS_REPORT_TIMEOUT_MS),
      redirect: 'manual',
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) {
      await repo.markReported(rec.id, Date.now());
      return;
    }
    error = `http_${res.status}`;
  } catch (err) {
    error = `network: ${(err as Error).message}`;
  }
  throw new Error(error);
});
