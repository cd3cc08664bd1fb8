import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { sweepPhotos, type SweepDeps, type SweepSummary } from '../../shared/photos/sweep.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_DOWNLOAD_QUEUE', 'PHOTOS_ANALYSE_QUEUE', 'PHOTOS_REPORT_QUEUE', 'PHOTOS_STUCK_AFTER', 'PHOTOS_SWEEP_WINDOW', 'PHOTOS_SWEEP_MAX_REDRIVES');
const deps: SweepDeps = {
  repo: new PhotoRepo(cfg.PHOTOS_TABLE),
  queueOf: { download: cfg.PHOTOS_DOWNLOAD_QUEUE, analyse: cfg.PHOTOS_ANALYSE_QUEUE, report: cfg.PHOTOS_REPORT_QUEUE },
  stuckAfterMs: cfg.PHOTOS_STUCK_AFTER,
  windowMs: cfg.PHOTOS_SWEEP_WINDOW,
  maxRedrives: cfg.PHOTOS_SWEEP_MAX_REDRIVES,
  now: Date.now,
};

/** Sweeper (every 5 min): re-drives stuck photos, fails those re-driven PHOTOS_SWEEP_MAX_REDRIVES times. */
export const handler = (): Promise<SweepSummary> => sweepPhotos(deps);
