import { Passwords } from './config.js';
import { enqueuer, type Validated } from './enqueue.js';
import { FtpPools } from './pool.js';
import type { ScanOptions } from './scan.js';
import { ftpReadRuntime, resetFtpReadRuntime, type FtpReadRuntime } from './settings.js';

export { ftpReadRuntime, loadFtpSettings, type FtpReadRuntime, type FtpSettings } from './settings.js';

export interface FtpRuntime extends FtpReadRuntime {
  pools: FtpPools;
  enqueue: (files: Validated[]) => Promise<{ queued: number; registered: number }>;
  scanOptions: ScanOptions;
}

let runtime: FtpRuntime | undefined;

/** The container-wide FTP runtime (pools live as long as the container: connections are reused). */
export function ftpRuntime(env: NodeJS.ProcessEnv = process.env): FtpRuntime {
  if (runtime) return runtime;
  const { settings, servers, index, state } = ftpReadRuntime(env);
  const pools = new FtpPools(servers, new Passwords({ env }));
  runtime = {
    settings,
    servers,
    pools,
    index,
    state,
    enqueue: enqueuer({ settings, index }),
    scanOptions: {
      settleMs: settings.FTP_SCAN_SETTLE,
      windowMs: settings.FTP_SCAN_WINDOW,
      closeAfterMs: settings.FTP_SCAN_CLOSE_AFTER,
      lookbackMs: settings.FTP_SCAN_LOOKBACK,
    },
  };
  return runtime;
}

/** For tests that change the environment between cases. */
export function resetFtpRuntime(): void {
  runtime?.pools.close();
  runtime = undefined;
  resetFtpReadRuntime();
}
