import { ddb } from '../../shared/platform/aws.js';
import { nextId } from '../../shared/ids/index.js';
import { mediaSettings } from '../../shared/media-store/settings.js';
import { FILE_SEQ_KEY } from '../../shared/media-store/ids.js';
import type { HttpReply } from '../../shared/platform/http/stack.js';
import type { MediaObjects } from '../../shared/media-store/objects.js';
import { mediaStore, type FileRecord, type MediaStore } from '../../shared/media-store/store.js';

/**
 * What every media handler shares: settings read at cold start and the store built on them. Each
 * handler file names its objects — s3Objects(s3()) where it touches bytes, linkObjects where it only
 * hands out download links — so the link-only functions bundle no S3 client (issue 16).
 */
export const settings = mediaSettings();
export const storeWith = (objects: MediaObjects): MediaStore =>
  mediaStore({ ...settings.store, ddb: ddb(), objects, nextSeq: () => nextId(FILE_SEQ_KEY) });

/** 302 to a fresh presigned download URL (GET without a range, and /content without one). */
export async function redirect(store: MediaStore, rec: FileRecord): Promise<HttpReply> {
  return { statusCode: 302, headers: { location: await store.downloadUrl(rec), 'cache-control': 'no-store' } };
}
