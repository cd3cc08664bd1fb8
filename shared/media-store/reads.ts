import { conflict, forbidden, notFound } from '../platform/errors.js';
import { decodeCursor, encodeCursor, userKey, view, type FileRecord, type FileStatus, type FileView, type MediaCaller } from './records.js';
import type { ByteRange } from './range.js';
import type { MediaDeps } from './deps.js';

/** The file if this caller may see it in one of `states`; otherwise 404 (never 403: no probing other apps' IDs). */
export async function visible(d: Pick<MediaDeps, 'files'>, fileId: string, caller: MediaCaller, states: FileStatus[] = ['ready']): Promise<FileRecord> {
  const rec = await d.files.get(fileId);
  if (!rec || (caller.appId && rec.appId !== caller.appId)) throw notFound(`file ${fileId} not found`);
  if (!states.includes(rec.status)) {
    throw notFound(rec.status === 'uploading' ? `file ${fileId} is not ready: its upload was not completed` : `file ${fileId} not found`);
  }
  return rec;
}

export function downloadUrl(d: Pick<MediaDeps, 'objects' | 'limits'>, rec: FileRecord): Promise<string> {
  return d.objects.presignGet(rec.bucket, rec.key, rec.contentType, d.limits.downloadUrlSeconds);
}

/** The bytes of `range`, only while the object is the one the record describes (its ETag). */
export async function readRange(d: Pick<MediaDeps, 'objects'>, rec: FileRecord, range: ByteRange): Promise<Buffer> {
  try {
    return await d.objects.readRange(rec.bucket, rec.key, range, rec.etag);
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) {
      throw conflict(`the stored object of ${rec.fileId} no longer matches its record (ETag ${rec.etag})`);
    }
    throw err;
  }
}

/** A user's ready files, newest first, one page; the cursor is only good for this user's listing. */
export async function listFiles(d: Pick<MediaDeps, 'files'>, q: { appId: string; userId: string; limit: number; cursor?: string }, caller: MediaCaller): Promise<{ files: FileView[]; cursor?: string }> {
  if (caller.appId && caller.appId !== q.appId) throw forbidden(`this API key belongs to app ${caller.appId}: it cannot list app ${q.appId}`);
  const uk = userKey(q.appId, q.userId);
  const start = q.cursor === undefined ? undefined : decodeCursor(q.cursor, uk);
  const page = await d.files.listByUser(uk, q.limit, start);
  return { files: page.items.map(view), ...(page.last ? { cursor: encodeCursor(page.last) } : {}) };
}
