import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { logger } from '../../shared/platform/logger.js';
import { STAGES, type Stage } from '../../shared/photos/records.js';
import { planSweep, type PendingItem } from '../../shared/photos/policy.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { sendBatch } from '../../shared/platform/sqs/queues.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_DOWNLOAD_QUEUE', 'PHOTOS_ANALYSE_QUEUE', 'PHOTOS_REPORT_QUEUE', 'PHOTOS_STUCK_AFTER', 'PHOTOS_SWEEP_WINDOW', 'PHOTOS_SWEEP_MAX_REDRIVES');
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);
const queueOf: Record<Stage, string> = { download: cfg.PHOTOS_DOWNLOAD_QUEUE, analyse: cfg.PHOTOS_ANALYSE_QUEUE, report: cfg.PHOTOS_REPORT_QUEUE };

export interface SweepSummary {
  stuckAfterMs: number;
  redriven: Record<Stage, number>;
  failed: Record<Stage, number>;
  ids: Record<Stage, number[]>;
}

/**
 * Sweeper (every 5 min): records with no activity for PHOTOS_STUCK_AFTER in any stage, callTime within the last
 * PHOTOS_SWEEP_WINDOW (the sparse `pending` GSI), are re-driven to their stage's queue; after PHOTOS_SWEEP_MAX_REDRIVES
 * re-drives a record fails instead, so it cannot circulate for ever.
 */
export const handler = async (): Promise<SweepSummary> => {
  const now = Date.now();
  const summary: SweepSummary = {
    stuckAfterMs: cfg.PHOTOS_STUCK_AFTER,
    redriven: { download: 0, analyse: 0, report: 0 },
    failed: { download: 0, analyse: 0, report: 0 },
    ids: { download: [], analyse: [], report: [] },
  };
  for (const stage of STAGES) {
    const items: PendingItem[] = [];
    for await (const p of repo.pending(stage, now - cfg.PHOTOS_SWEEP_WINDOW, now + 5 * 60_000, now - cfg.PHOTOS_STUCK_AFTER)) items.push(p);
    const redrive: number[] = [];
    for (const a of planSweep(items, now, cfg.PHOTOS_STUCK_AFTER, cfg.PHOTOS_SWEEP_MAX_REDRIVES)) {
      if (a.action === 'fail') {
        if (await repo.markFailed(a.id, stage, `stuck: no progress after ${cfg.PHOTOS_SWEEP_MAX_REDRIVES} re-drives`, now, false)) summary.failed[stage]++;
      } else if (await repo.markRedriven(a.id, stage, now)) redrive.push(a.id);
    }
    if (redrive.length) await sendBatch(queueOf[stage], redrive.map((id) => ({ body: { id } })));
    summary.redriven[stage] = redrive.length;
    summary.ids[stage] = redrive;
  }
  logger.info('sweep', { stuckAfterMs: summary.stuckAfterMs, redriven: summary.redriven, failed: summary.failed });
  return summary;
};
