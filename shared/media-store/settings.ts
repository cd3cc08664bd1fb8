import * as z from 'zod';
import { loadConfig } from '../platform/config.js';
import { parseGroups } from './groups.js';
import type { MediaStoreOptions } from './deps.js';

/**
 * Media store settings from the environment (functions/media/functions.yml). Only
 * MEDIA_FILES_TABLE is required: each function is given what it uses.
 */
const seconds = z.coerce.number().int().positive();
const shape = {
  MEDIA_FILES_TABLE: z.string().min(1),
  MEDIA_GROUPS_TABLE: z.string().min(1).optional(),
  MEDIA_ROUTES_TABLE: z.string().min(1).optional(),
  MEDIA_GROUPS: z.string().optional().transform((s, ctx) => {
    if (s === undefined) return undefined;
    try {
      return parseGroups(s);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
  MEDIA_MULTIPART_THRESHOLD: z.coerce.number().int().min(1).optional(),
  MEDIA_DOWNLOAD_URL_SECONDS: seconds.optional(),
  MEDIA_UPLOAD_URL_SECONDS: seconds.optional(),
  MEDIA_ABANDON_AFTER_SECONDS: seconds.optional(),
  /** Largest body /content answers with (see MAX_RANGE_BYTES). */
  MEDIA_MAX_RANGE_BYTES: z.coerce.number().int().min(1024).optional(),
};

/**
 * Lambda answers at most 6 MB, and a binary body travels base64 (+33 %): 4 MiB of bytes is
 * 5.6 MB on the wire, the largest round size that fits.
 */
export const MAX_RANGE_BYTES = 4 * 1024 * 1024;

export interface MediaSettings {
  store: Omit<MediaStoreOptions, 'ddb' | 'objects' | 'nextSeq'>;
  maxRangeBytes: number;
}

export function mediaSettings(env: NodeJS.ProcessEnv = process.env): MediaSettings {
  const c = loadConfig(shape, env);
  const store: MediaSettings['store'] = { filesTable: c.MEDIA_FILES_TABLE };
  if (c.MEDIA_GROUPS_TABLE) store.groupsTable = c.MEDIA_GROUPS_TABLE;
  if (c.MEDIA_ROUTES_TABLE) store.routesTable = c.MEDIA_ROUTES_TABLE;
  if (c.MEDIA_GROUPS) store.groups = c.MEDIA_GROUPS;
  if (c.MEDIA_MULTIPART_THRESHOLD) store.multipartThreshold = c.MEDIA_MULTIPART_THRESHOLD;
  if (c.MEDIA_DOWNLOAD_URL_SECONDS) store.downloadUrlSeconds = c.MEDIA_DOWNLOAD_URL_SECONDS;
  if (c.MEDIA_UPLOAD_URL_SECONDS) store.uploadUrlSeconds = c.MEDIA_UPLOAD_URL_SECONDS;
  if (c.MEDIA_ABANDON_AFTER_SECONDS) store.abandonAfterSeconds = c.MEDIA_ABANDON_AFTER_SECONDS;
  return { store, maxRangeBytes: Math.min(c.MEDIA_MAX_RANGE_BYTES ?? MAX_RANGE_BYTES, MAX_RANGE_BYTES) };
}
