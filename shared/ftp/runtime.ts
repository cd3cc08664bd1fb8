import { s3 } from '../aws.js';
import { sendBatch } from '../sqs/queues.js';
import { Passwords } from './config.js';
import { enqueue, type MigrateMessage, type Validated } from './enqueue.js';
import type { ImageIndex } from './images.js';
import { FtpPools } from './pool.js';
import type { ScanOptions } from './scan.js';
import { ftpReadRuntime, resetFtpReadRuntime, type FtpReadRuntime } from './settings.js';

export { ftpReadRuntime, loadFtpSettings, type FtpReadRuntime, type FtpSettings } from './settings.js';

export interface FtpRuntime extends FtpReadRuntime {
  pools: FtpPools;
  enqueue: (files: Validated[]) => Promise<{ queued: number; registered: number }>;
  scanOptions: ScanOptions;
  migrateDeps: { pools: FtpPools; index: ImageIndex; s3: ReturnType<typeof s3>; bucket: string; leaseMs: number; partSize: number };
}

let runtime: FtpRuntime | undefined;

/** The container-wide FTP runtime (pools live as long as the container: connections are reused). */
export function ftpRuntime(env: NodeJS.ProcessEnv = process.env): FtpRuntime {
  if (runtime) return runtime;
  const { settings, servers, index, state } = ftpReadRuntime(env);
  const pools = new FtpPools(servers, new Passwords({ env }));
  const send = (msgs: MigrateMessage[]) => sendBatch(settings.FTP_MIGRATE_QUEUE, msgs.map((body) => ({ body })));
  runtime = {
    settings,
    servers,
    pools,
    index,
    state,
    enqueue: (files) => enqueue({ index, send }, files),
    scanOptions: {
      settleMs: settings.FTP_SCAN_SETTLE,
      windowMs: settings.FTP_SCAN_WINDOW,
      closeAfterMs: settings.FTP_SCAN_CLOSE_AFTER,
      lookbackMs: settings.FTP_SCAN_LOOKBACK,
    },
    migrateDeps: { pools, index, s3: s3(), bucket: settings.FTP_BUCKET, leaseMs: settings.FTP_LEASE, partSize: settings.FTP_PART_SIZE },
  };
  return runtime;
}

/** For tests that change the environment between cases. */
export function resetFtpRuntime(): void {
  runtime?.pools.close();
  runtime = undefined;
  resetFtpReadRuntime();
}
