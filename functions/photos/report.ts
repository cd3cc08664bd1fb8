import * as z from 'zod';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { reportPhoto, type ReportDeps } from '../../shared/photos/report.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_REPORT_URL', 'PHOTOS_REPORT_TIMEOUT_MS', 'PHOTOS_REPORT_MAX_ATTEMPTS');
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);
const deps: ReportDeps = { repo, url: cfg.PHOTOS_REPORT_URL, timeoutMs: cfg.PHOTOS_REPORT_TIMEOUT_MS, now: Date.now };

/**
 * Report consumer. The last receive before the DLQ (PHOTOS_REPORT_MAX_ATTEMPTS = maxReceiveCount)
 * fails the record at report, so it counts as failed rather than pending; the message still goes to
 * the DLQ, and when `panoptes redrive` brings it back a 2xx makes the record done.
 */
export const handler = sqsHandler({
  body: z.object({ id: z.number().int().positive() }),
  attempts: {
    max: cfg.PHOTOS_REPORT_MAX_ATTEMPTS,
    retrying: ({ body }, err) => repo.recordAttempt(body.id, 'report', err.message, Date.now()),
    giveUp: ({ body }, reason) => repo.markFailed(body.id, 'report', reason, Date.now()),
    then: 'dead-letter',
  },
}, ({ body }) => reportPhoto(deps, body.id));
