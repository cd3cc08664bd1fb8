import * as z from 'zod';
import { badRequest } from '../platform/errors.js';
import { decodeCursor as decode, encodeCursor } from '../platform/cursor.js';

/**
 * A media store file (seed 001 on S3 + DynamoDB).
 *
 * A file's life: `uploading` (record written, presigned URLs handed out) → `ready` (object checked;
 * group counters added in the same transaction) → `deleting` (counters taken back in the same
 * transaction) → `deleted` (object gone; a tombstone that expires). Each step is a conditional
 * write, so retries and the sweep can finish any step a crash interrupted, and counters move
 * exactly once per transition.
 */
export type FileStatus = 'uploading' | 'ready' | 'deleting' | 'deleted';

export interface FileRecord {
  fileId: string;
  appId: string;
  userId: string;
  group: string;
  bucket: string;
  key: string;
  fileName: string;
  size: number;
  contentType: string;
  status: FileStatus;
  createdAt: string;
  updatedAt: string;
  etag?: string;
  /** Multipart uploads only, while uploading. */
  uploadId?: string;
  partSize?: number;
  partCount?: number;
  /** byUser GSI key, set only while ready. */
  userKey?: string;
  /** byPending GSI keys, set only while uploading or deleting. */
  pending?: 'uploading' | 'deleting';
  pendingSince?: string;
  deletedAt?: string;
  /** Tombstones only (TTL, epoch seconds). */
  expiresAt?: number;
}

export interface FileView {
  fileId: string;
  appId: string;
  userId: string;
  group: string;
  fileName: string;
  size: number;
  contentType: string;
  etag?: string;
  status: FileStatus;
  createdAt: string;
  updatedAt: string;
}

export interface MediaCaller {
  /** Set for app-bound API keys: such a caller sees only its app's files. */
  appId?: string;
}

export const userKey = (appId: string, userId: string) => `${appId}#${userId}`;

export function view(r: FileRecord): FileView {
  return {
    fileId: r.fileId,
    appId: r.appId,
    userId: r.userId,
    group: r.group,
    fileName: r.fileName,
    size: r.size,
    contentType: r.contentType,
    ...(r.etag ? { etag: r.etag } : {}),
    status: r.status,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export { encodeCursor };

/** A cursor is only good for the listing it came from (the caller's user key). */
export function decodeCursor(cursor: string, uk: string): Record<string, unknown> {
  const key = decode(cursor, z.strictObject({ userKey: z.literal(uk), fileId: z.string() }));
  if (!key) throw badRequest('invalid cursor: pass back the cursor of the previous page unchanged', [{ path: 'query.cursor', message: 'invalid' }]);
  return key;
}
