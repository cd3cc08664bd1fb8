import { logger } from '../platform/logger.js';
import { idempotencyKey, reportOf } from './records.js';
import type { PhotoRepo } from './repo.js';

export interface ReportDeps {
  repo: PhotoRepo;
  /** Remote server 2 (PHOTOS_REPORT_URL) and how long one POST may take. */
  url: string;
  timeoutMs: number;
  now: () => number;
}

/**
 * POSTs a counted photo to remote server 2 with `Idempotency-Key: photo-<id>` (the same on every
 * attempt, so the receiver can drop repeats). 2xx → reported; anything else throws, to be retried.
 * A record failed at report (given up, dead-lettered) is still reported when its message is re-driven.
 */
export async function reportPhoto(d: ReportDeps, id: number): Promise<void> {
  const rec = await d.repo.get(id);
  if (!rec) return logger.warn('report for an unknown photo: dropped', { id });
  if (rec.reported) return;
  if (rec.stage !== 'report' && !(rec.stage === 'failed' && rec.failedStage === 'report')) {
    return logger.warn('report for a photo that is not ready: dropped', { id: rec.id, stage: rec.stage });
  }
  let error: string;
  try {
    const res = await fetch(d.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey(rec.id) },
      body: JSON.stringify(reportOf(rec)),
      signal: AbortSignal.timeout(d.timeoutMs),
      redirect: 'manual',
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) {
      await d.repo.markReported(rec.id, d.now());
      return;
    }
    error = `http_${res.status}`;
  } catch (err) {
    error = `network: ${(err as Error).message}`;
  }
  throw new Error(error);
}
