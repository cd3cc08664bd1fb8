import { logger } from '../platform/logger.js';
import { SafeFetchError, safeFetch } from '../platform/net/safe-fetch.js';
import type { AllowList } from '../platform/net/allow.js';
import { PermanentError } from '../platform/errors.js';
import { CONTENT_TYPE, photoKey } from './records.js';
import { judgeError, judgeResponse, type DownloadOutcome } from './policy.js';
import type { PhotoObjects } from './objects.js';
import type { PhotoRepo } from './repo.js';

export interface DownloadDeps {
  repo: PhotoRepo;
  objects: PhotoObjects;
  fetch: { allow: AllowList; timeoutMs: number; maxBytes: number };
  now: () => number;
}

/**
 * Fetches the announced URL (allow-listed, time- and size-bounded), checks the bytes are an image and
 * stores them under photos/…; the S3 notification then starts the analysis. Throws PermanentError
 * for what retrying cannot fix, any other error for what it may.
 */
export async function downloadPhoto(d: DownloadDeps, id: number): Promise<void> {
  const rec = await d.repo.get(id);
  if (!rec) return logger.warn('download for an unknown photo: dropped', { id });
  if (rec.downloaded || rec.stage === 'failed') return;

  let outcome: DownloadOutcome;
  let bytes: Buffer | undefined;
  try {
    const res = await safeFetch(rec.photoUrl, d.fetch);
    outcome = judgeResponse(res);
    bytes = res.body;
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    outcome = judgeError(err);
  }
  if (outcome.kind !== 'ok') throw outcome.kind === 'permanent' ? new PermanentError(outcome.reason) : new Error(outcome.reason);

  const key = photoKey(rec, outcome.type);
  await d.objects.put(key, bytes!, outcome.type, rec);
  await d.repo.markDownloaded(rec.id, { bucket: d.objects.bucket, key, contentType: CONTENT_TYPE[outcome.type], bytes: bytes!.length }, d.now());
}
