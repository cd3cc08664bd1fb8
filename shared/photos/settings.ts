/**
 * The photos capability's settings: every environment variable its functions read, with its schema and
 * default. A function loads the ones it uses at cold start (`loadPhotosSettings(...)`) and passes them on.
 */
import * as z from 'zod';
import { settingsLoader } from '../platform/config.js';
import { parseDuration } from '../platform/time.js';

const name = z.string().min(1);
const duration = (def: string) => z.string().default(def).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${v} (e.g. 10m, 30s)` });
    return z.NEVER;
  }
  return ms;
});

export const photosSettings = {
  PHOTOS_TABLE: name,
  PHOTOS_BUCKET: name,
  PHOTOS_DOWNLOAD_QUEUE: name,
  PHOTOS_ANALYSE_QUEUE: name,
  PHOTOS_REPORT_QUEUE: name,
  /** Remote server 2, where counts are reported. */
  PHOTOS_REPORT_URL: z.url({ message: 'PHOTOS_REPORT_URL must be the URL of remote server 2' }),
  PHOTOS_REPORT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** The report queue's maxReceiveCount (infra/resources/photos.yml). */
  PHOTOS_REPORT_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  /** Hosts photos may be downloaded from (shared/platform/net syntax). */
  PHOTOS_SOURCE_ALLOW: z.string().default('*'),
  PHOTOS_DOWNLOAD_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  PHOTOS_DOWNLOAD_MAX_BYTES: z.coerce.number().int().positive().default(20 * 1024 * 1024),
  PHOTOS_DOWNLOAD_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  PHOTOS_ANALYSE_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  /** A record with no activity for this long in any stage is re-driven by the sweeper (ms). */
  PHOTOS_STUCK_AFTER: duration('10m'),
  /** How far back the sweeper looks (ms of callTime). */
  PHOTOS_SWEEP_WINDOW: duration('24h'),
  PHOTOS_SWEEP_MAX_REDRIVES: z.coerce.number().int().min(0).default(6),
};

export const loadPhotosSettings = settingsLoader(photosSettings);
