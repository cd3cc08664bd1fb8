import { ftpRuntime } from '../../shared/ftp/runtime.js';
import { scanServer, type ScanReport } from '../../shared/ftp/scan.js';
import { logger } from '../../shared/platform/logger.js';

import { lastRunId } from '../../shared/ftp/state.js';

const rt = ftpRuntime();

/**
 * Scheduled scanner: lists new files on the servers configured with `scan: true` (they cannot
 * notify) and queues them like POST /ftp/notify. The event may name servers: { "servers": ["a"] }.
 */
export const handler = async (event: { servers?: string[] } = {}): Promise<{ reports: ScanReport[] }> => {
  const names = event?.servers?.length ? event.servers : [...rt.servers.values()].filter((s) => s.scan).map((s) => s.name);
  const reports: ScanReport[] = [];
  for (const name of names) {
    try {
      reports.push(await scanServer({ pools: rt.pools, state: rt.state, enqueue: rt.enqueue, options: rt.scanOptions }, name));
    } catch (err) {
      // One unreachable server must not stop the others; its watermarks stay where they were.
      reports.push({ server: name, devices: 0, dirsListed: 0, queued: 0, pending: 0, invalid: 0, errors: [(err as Error).message] });
    }
  }
  for (const r of reports) (r.errors.length ? logger.warn : logger.info).call(logger, 'ftp scan', { ...r });
  // One small "last run" item per server, overwritten each run: what GET /ftp/status shows.
  const at = new Date().toISOString();
  await Promise.all(reports.map((r) => rt.state.put(lastRunId('scan', r.server), { ...r, errors: r.errors.slice(0, 5), errorCount: r.errors.length, at })
    .catch((err: Error) => logger.warn('ftp scan: last run not recorded', { server: r.server, error: err.message }))));
  return { reports };
};
