import * as z from 'zod';
import { ddb, s3 } from '../aws.js';
import { loadConfig } from '../config.js';
import { sendBatch } from '../sqs/queues.js';
import { parseServers, Passwords, type Servers } from './config.js';
import { parseDuration } from './duration.js';
import { enqueue, type MigrateMessage, type Validated } from './enqueue.js';
import { ImageIndex } from './images.js';
import { FtpPools } from './pool.js';
import type { ScanOptions } from './scan.js';
import { FtpState } from './state.js';

/**
 * Settings of the FTP capability, from the environment (functions.yml sets them; the CLI and the
 * bench fall back to the local stage's resource names).
 */
const duration = (def: string) => z.string().default(def).transform((s, ctx) => {
  try {
    return parseDuration(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export function loadFtpSettings(env: NodeJS.ProcessEnv = process.env) {
  const prefix = `${env.SERVICE ?? 'panoptes'}-${env.STAGE ?? 'local'}`;
  return loadConfig({
    IMAGES_TABLE: z.string().min(1).default(`${prefix}-images`),
    FTP_STATE_TABLE: z.string().min(1).default(`${prefix}-ftp-state`),
    FTP_BUCKET: z.string().min(1).default(`${prefix}-ftp-media`),
    FTP_MIGRATE_QUEUE: z.string().min(1).default(`${prefix}-ftp-migrate`),
    FTP_SERVERS: z.string().default('{}').transform((s, ctx) => {
      try {
        return parseServers(s);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
    /** How long a file stays on FTP after its index switched to S3. */
    FTP_RETENTION: duration('24h'),
    FTP_PART_SIZE: z.coerce.number().int().min(5 * 1024 * 1024).default(8 * 1024 * 1024),
    FTP_LEASE: duration('5m'),
    /** Lifetime of presigned S3 URLs handed to readers. */
    FTP_URL_EXPIRES: duration('15m'),
    FTP_SCAN_SETTLE: duration('2m'),
    FTP_SCAN_WINDOW: duration('10m'),
    FTP_SCAN_CLOSE_AFTER: duration('2h'),
    FTP_SCAN_LOOKBACK: duration('2h'),
  }, env);
}

export type FtpSettings = ReturnType<typeof loadFtpSettings>;

export interface FtpRuntime {
  settings: FtpSettings;
  servers: Servers;
  pools: FtpPools;
  index: ImageIndex;
  state: FtpState;
  enqueue: (files: Validated[]) => Promise<{ queued: number; registered: number }>;
  scanOptions: ScanOptions;
  migrateDeps: { pools: FtpPools; index: ImageIndex; s3: ReturnType<typeof s3>; bucket: string; leaseMs: number; partSize: number };
}

let runtime: FtpRuntime | undefined;

/** The container-wide FTP runtime (pools live as long as the container: connections are reused). */
export function ftpRuntime(env: NodeJS.ProcessEnv = process.env): FtpRuntime {
  if (runtime) return runtime;
  const settings = loadFtpSettings(env);
  const servers = settings.FTP_SERVERS;
  const pools = new FtpPools(servers, new Passwords({ env }));
  const index = new ImageIndex(ddb(), settings.IMAGES_TABLE);
  const state = new FtpState(ddb(), settings.FTP_STATE_TABLE);
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
}
