import { runCleanup, type CleanupReport } from '../../shared/ftp/cleanup.js';
import { parseDuration } from '../../shared/ftp/duration.js';
import { ftpRuntime } from '../../shared/ftp/runtime.js';
import { logger } from '../../shared/logger.js';

const rt = ftpRuntime();

/**
 * Nightly cleanup (schedule), also invocable: { "dryRun": true } reports without deleting;
 * { "retention": "1h" } overrides FTP_RETENTION for this run (operators, tests).
 */
export const handler = async (event: { dryRun?: boolean; retention?: string } = {}): Promise<CleanupReport> => {
  const retentionMs = event?.retention ? parseDuration(event.retention) : rt.settings.FTP_RETENTION;
  const r = await runCleanup({ ...rt.migrateDeps, state: rt.state }, { retentionMs, dryRun: Boolean(event?.dryRun) });
  (Object.keys(r.serversDown).length || r.failed ? logger.warn : logger.info).call(logger, 'ftp cleanup', { ...r, errors: r.errors.slice(0, 20) });
  return r;
};
