import * as z from 'zod';
import { ddb } from '../platform/aws.js';
import { loadConfig } from '../platform/config.js';
import { parseServers, type Servers } from './config.js';
import { requireDuration } from '../platform/time.js';
import { ImageIndex } from './images.js';
import { FtpState } from './state.js';

/**
 * Settings of the FTP capability, from the environment: functions.yml sets them, and the CLI reads
 * the same function's environment from serverless.yml (cli/function-env.ts).
 */
const duration = (def: string) => z.string().default(def).transform((s, ctx) => {
  try {
    return requireDuration(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export function loadFtpSettings(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig({
    FTP_IMAGES_TABLE: z.string().min(1),
    FTP_STATE_TABLE: z.string().min(1),
    FTP_BUCKET: z.string().min(1),
    FTP_MIGRATE_QUEUE: z.string().min(1),
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

/**
 * What the read endpoints need (GET /images, /devices/{id}/images, /ftp/status): no FTP pools, SSM
 * passwords or queue, so their bundles stay small (shared/ftp/runtime.ts builds the rest on it).
 */
export interface FtpReadRuntime {
  settings: FtpSettings;
  servers: Servers;
  index: ImageIndex;
  state: FtpState;
}

let reader: FtpReadRuntime | undefined;

/** The container-wide read side of the FTP runtime. */
export function ftpReadRuntime(env: NodeJS.ProcessEnv = process.env): FtpReadRuntime {
  if (reader) return reader;
  const settings = loadFtpSettings(env);
  reader = {
    settings,
    servers: settings.FTP_SERVERS,
    index: new ImageIndex(ddb(), settings.FTP_IMAGES_TABLE),
    state: new FtpState(ddb(), settings.FTP_STATE_TABLE),
  };
  return reader;
}

/** For tests that change the environment between cases. */
export function resetFtpReadRuntime(): void {
  reader = undefined;
}
