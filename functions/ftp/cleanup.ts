import { runCleanup, type CleanupReport } from '../../shared/ftp/cleanup.js';
import { requireDuration } from '../../shared/platform/time.js';
import { migrateDeps } from '../../shared/ftp/migrate.js';
import { ftpRuntime } from '../../shared/ftp/runtime.js';
import { logger } from '../../shared/platform/logger.js';

import { lastRunId } from '../../shared/ftp/state.js';

const rt = ftpRuntime();

/**
 * Nightly cleanup (schedule), also invocable: { "dryRun": true } reports without deleting;
 * { "retention": "1h" } overrides FTP_RETENTION for this run (operators, tests).
 */
export const handler = async (event: { dryRun?: boolean; retention?: string } = {}): Promise<CleanupReport> => {
  const retentionMs = event?.retention ? requireDuration(event.retention) : rt.settings.FTP_RETENTION;
  const r = await runCleanup({ ...migrateDeps(rt), state: rt.state }, { retentionMs, dryRun: Boolean(event?.dryRun) });
  (Object.keys(r.serversDown).length || r.failed ? logger.warn : logger.info).call(logger, 'ftp cleanup', { ...r, errors: r.errors.slice(0, 20) });
  // The last run's summary, overwritten each run: what GET /ftp/status shows.
  await rt.state.put(lastRunId('cleanup'), { ...r, errors: r.errors.slice(0, 5), errorCount: r.errors.length, at: new Date().toISOString() })
    .catch((err: Error) => logger.warn('ftp cleanup: last run not recorded', { error: err.message }));
  return r;
};
