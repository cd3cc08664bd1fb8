import { logger } from '../platform/logger.js';
import { sendBatch } from '../platform/sqs/queues.js';
import { STAGES, type Stage } from './records.js';
import { planSweep, type PendingItem } from './policy.js';
import type { PhotoRepo } from './repo.js';

export interface SweepDeps {
  repo: PhotoRepo;
  /** Each stage's queue, where a re-driven record goes. */
  queueOf: Record<Stage, string>;
  stuckAfterMs: number;
  windowMs: number;
  maxRedrives: number;
  now: () => number;
}

export interface SweepSummary {
  stuckAfterMs: number;
  redriven: Record<Stage, number>;
  failed: Record<Stage, number>;
  ids: Record<Stage, number[]>;
}

/**
 * Records with no activity for `stuckAfterMs` in any stage, callTime within the last `windowMs` (the
 * sparse `pending` GSI), are re-driven to their stage's queue; after `maxRedrives` re-drives a record
 * fails instead, so it cannot circulate for ever.
 */
export async function sweepPhotos(d: SweepDeps): Promise<SweepSummary> {
  const now = d.now();
  const summary: SweepSummary = {
    stuckAfterMs: d.stuckAfterMs,
    redriven: { download: 0, analyse: 0, report: 0 },
    failed: { download: 0, analyse: 0, report: 0 },
    ids: { download: [], analyse: [], report: [] },
  };
  for (const stage of STAGES) {
    const items: PendingItem[] = [];
    for await (const p of d.repo.pending(stage, now - d.windowMs, now + 5 * 60_000, now - d.stuckAfterMs)) items.push(p);
    const redrive: number[] = [];
    for (const a of planSweep(items, now, d.stuckAfterMs, d.maxRedrives)) {
      if (a.action === 'fail') {
        if (await d.repo.markFailed(a.id, stage, `stuck: no progress after ${d.maxRedrives} re-drives`, now, false)) summary.failed[stage]++;
      } else if (await d.repo.markRedriven(a.id, stage, now)) redrive.push(a.id);
    }
    if (redrive.length) await sendBatch(d.queueOf[stage], redrive.map((id) => ({ body: { id } })));
    summary.redriven[stage] = redrive.length;
    summary.ids[stage] = redrive;
  }
  logger.info('sweep', { stuckAfterMs: summary.stuckAfterMs, redriven: summary.redriven, failed: summary.failed });
  return summary;
}
