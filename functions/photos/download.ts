import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { loadConfig } from '../../shared/platform/config.js';
import { logger } from '../../shared/platform/logger.js';
import { parseAllowList } from '../../shared/platform/net/allow.js';
import { SafeFetchError, safeFetch } from '../../shared/platform/net/safe-fetch.js';
import { CONTENT_TYPE, photoKey } from '../../shared/photos/model.js';
import { giveUp, judgeError, judgeResponse, type DownloadOutcome } from '../../shared/photos/policy.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';

const cfg = loadConfig({
  PHOTOS_TABLE: z.string().min(1),
  PHOTOS_BUCKET: z.string().min(1),
  PHOTO_SOURCE_ALLOW: z.string().default('*'),
  DOWNLOAD_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  DOWNLOAD_MAX_BYTES: z.coerce.number().int().positive().default(20 * 1024 * 1024),
  DOWNLOAD_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
});
const allow = parseAllowList(cfg.PHOTO_SOURCE_ALLOW);
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);

/**
 * Download consumer: fetches the announced URL (allow-listed, 10 s, 20 MB), checks the bytes are an image
 * and stores them under photos/…; the S3 notification then starts the analysis. Permanent failures mark
 * the record failed at once; transient ones retry with backoff until DOWNLOAD_MAX_ATTEMPTS, then fail.
 */
export const handler = sqsHandler({ body: z.object({ id: z.number().int().positive() }) }, async ({ body, receiveCount }) => {
  const rec = await repo.get(body.id);
  if (!rec) return logger.warn('download for an unknown photo: dropped', { id: body.id });
  if (rec.downloaded || rec.stage === 'failed') return;
  const attempt = Math.max(receiveCount, rec.attempts.download + 1);

  let outcome: DownloadOutcome;
  let bytes: Buffer | undefined;
  try {
    const res = await safeFetch(rec.photoUrl, { allow, timeoutMs: cfg.DOWNLOAD_TIMEOUT_MS, maxBytes: cfg.DOWNLOAD_MAX_BYTES });
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
  if (outcome.kind === 'permanent') {
    logger.warn('download failed permanently', { id: rec.id, reason: outcome.reason });
    await repo.markFailed(rec.id, 'download', outcome.reason, now);
    return;
  }
  if (giveUp(attempt, cfg.DOWNLOAD_MAX_ATTEMPTS)) {
    logger.warn('download failed: attempts exhausted', { id: rec.id, attempt, reason: outcome.reason });
    await repo.markFailed(rec.id, 'download', `gave up after ${attempt} attempts: ${outcome.reason}`, now);
    return;
  }
  await repo.recordAttempt(rec.id, 'download', outcome.reason, now);
  throw new Error(`download of photo ${rec.id} failed (attempt ${attempt}): ${outcome.reason}`);
});
