import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { logger } from '../../shared/platform/logger.js';
import { parseAllowList } from '../../shared/platform/net/allow.js';
import { SafeFetchError, safeFetch } from '../../shared/platform/net/safe-fetch.js';
import { CONTENT_TYPE, photoKey } from '../../shared/photos/model.js';
import { judgeError, judgeResponse, type DownloadOutcome } from '../../shared/photos/policy.js';
import { PermanentError } from '../../shared/platform/errors.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_BUCKET', 'PHOTOS_SOURCE_ALLOW', 'PHOTOS_DOWNLOAD_TIMEOUT_MS', 'PHOTOS_DOWNLOAD_MAX_BYTES', 'PHOTOS_DOWNLOAD_MAX_ATTEMPTS');
const allow = parseAllowList(cfg.PHOTOS_SOURCE_ALLOW);
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);

/**
 * Download consumer: fetches the announced URL (allow-listed, 10 s, 20 MB), checks the bytes are an image
 * and stores them under photos/…; the S3 notification then starts the analysis. Permanent failures mark
 * the record failed at once; transient ones retry with backoff until PHOTOS_DOWNLOAD_MAX_ATTEMPTS, then fail.
 */
export const handler = sqsHandler({
  body: z.object({ id: z.number().int().positive() }),
  attempts: {
    max: cfg.PHOTOS_DOWNLOAD_MAX_ATTEMPTS,
    // Counted on the record: a sweeper re-drive is a new message whose receive count starts again.
    number: async ({ body, receiveCount }) => Math.max(receiveCount, ((await repo.get(body.id))?.attempts.download ?? 0) + 1),
    retrying: ({ body }, err) => repo.recordAttempt(body.id, 'download', err.message, Date.now()),
    giveUp: ({ body }, reason) => repo.markFailed(body.id, 'download', reason, Date.now()),
    then: 'done',
  },
}, async ({ body }) => {
  const rec = await repo.get(body.id);
  if (!rec) return logger.warn('download for an unknown photo: dropped', { id: body.id });
  if (rec.downloaded || rec.stage === 'failed') return;

  let outcome: DownloadOutcome;
  let bytes: Buffer | undefined;
  try {
    const res = await safeFetch(rec.photoUrl, { allow, timeoutMs: cfg.PHOTOS_DOWNLOAD_TIMEOUT_MS, maxBytes: cfg.PHOTOS_DOWNLOAD_MAX_BYTES });
    outcome = judgeResponse(res);
    bytes = res.body;
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    outcome = judgeError(err);
  }

  const now = Date.now();
  if (outcome.kind === 'ok') {
    const key = photoKey(rec, outcome.type);
    await s3().send(new PutObjectCommand({
      Bucket: cfg.PHOTOS_BUCKET,
      Key: key,
      Body: bytes,
      ContentType: CONTENT_TYPE[outcome.type],
      Metadata: { 'photo-id': String(rec.id), 'camera-code': rec.cameraCode },
    }));
    await repo.markDownloaded(rec.id, { bucket: cfg.PHOTOS_BUCKET, key, contentType: CONTENT_TYPE[outcome.type], bytes: bytes!.length }, now);
    return;
  }
  throw outcome.kind === 'permanent' ? new PermanentError(outcome.reason) : new Error(outcome.reason);
});
