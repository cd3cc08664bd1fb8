import type { SafeFetchError, SafeFetchResult } from '../platform/net/safe-fetch.js';
import { sniffImage, type ImageType, type Stage } from './records.js';

/**
 * Decisions of the pipeline, kept pure: what a download outcome means, when to stop retrying, which
 * records the sweeper re-drives.
 */
export type DownloadOutcome =
  | { kind: 'ok'; type: ImageType }
  | { kind: 'permanent'; reason: string }
  | { kind: 'transient'; reason: string };

/** 4xx answers that may change if asked again later. */
const RETRYABLE_4XX = new Set([408, 425, 429]);

export function judgeResponse(res: Pick<SafeFetchResult, 'status' | 'body' | 'headers'>): DownloadOutcome {
  const { status } = res;
  if (status >= 200 && status < 300) {
    const type = sniffImage(res.body);
    if (type) return { kind: 'ok', type };
    const head = [...res.body.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ct = res.headers['content-type'];
    return { kind: 'permanent', reason: `not_an_image: not JPEG/PNG/WebP (${res.body.length} bytes, starts ${head || '(empty)'}${ct ? `, content-type ${String(ct)}` : ''})` };
  }
  if (status >= 500 || RETRYABLE_4XX.has(status)) return { kind: 'transient', reason: `http_${status}` };
  return { kind: 'permanent', reason: `http_${status}` };
}

export function judgeError(err: SafeFetchError): DownloadOutcome {
  const reason = `${err.code}: ${err.message}`;
  return err.permanent ? { kind: 'permanent', reason } : { kind: 'transient', reason };
}


export interface PendingItem {
  id: number;
  stage: Stage;
  touchedAt: number;
  redrives?: number;
}

export type SweepAction = { id: number; stage: Stage; action: 'redrive' | 'fail' };

/**
 * A record is stuck when nothing happened to it (progress, attempt or re-drive) for `stuckAfterMs`.
 * Re-drive it to its stage's queue, unless it was re-driven `maxRedrives` times already: then it fails,
 * so a record that can never complete stops coming back.
 */
export function planSweep(items: readonly PendingItem[], now: number, stuckAfterMs: number, maxRedrives: number): SweepAction[] {
  return items
    .filter((i) => i.touchedAt <= now - stuckAfterMs)
    .map((i) => ({ id: i.id, stage: i.stage, action: (i.redrives ?? 0) >= maxRedrives ? 'fail' : 'redrive' }));
}
