import * as api from '../../shared/api/media.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { linkObjects } from '../../shared/media-store/links.js';
import { redirect, storeWith } from './context.js';

// Reads records and hands out links only; the ranged bytes are functions/media/content.ts (with S3).
const store = storeWith(linkObjects);

/** GET /media/{fileId} → 302 to a presigned URL (players follow it); HEAD → size, type, ETag. */
export const get = httpHandler(api.getFile, async ({ path, query, caller, event }) => {
  const rec = await store.visible(path.fileId, caller!);
  if (event.requestContext?.http?.method === 'HEAD') {
    return {
      statusCode: 200,
      headers: {
        'content-length': String(rec.size),
        // Proxies may recompute Content-Length for an empty body: the size also travels here.
        'x-media-size': String(rec.size),
        'content-type': rec.contentType,
        etag: rec.etag ?? '',
        'accept-ranges': 'bytes',
        'last-modified': new Date(rec.updatedAt).toUTCString(),
      },
    };
  }
  if (query.redirect === 'false') return json(200, { fileId: rec.fileId, url: await store.downloadUrl(rec) });
  return redirect(store, rec);
});

/** GET /media?appId=&userId=&limit=&cursor= → { files, cursor? } newest first */
export const list = httpHandler(api.list, async ({ query, caller }) => {
  const { cursor, ...q } = query;
  return json(200, await store.listFiles({ ...q, ...(cursor !== undefined ? { cursor } : {}) }, caller!));
});
