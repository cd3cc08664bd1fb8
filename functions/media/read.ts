import * as api from '../../shared/api/media.js';
import { HttpError, badRequest } from '../../shared/errors.js';
import { httpHandler, json, type HttpReply } from '../../shared/http/stack.js';
import { capRange, contentRange, offsetRange, parseRangeHeader } from '../../shared/media-store/range.js';
import type { FileRecord } from '../../shared/media-store/store.js';
import { settings, store } from './context.js';

async function redirect(rec: FileRecord): Promise<HttpReply> {
  return { statusCode: 302, headers: { location: await store.downloadUrl(rec), 'cache-control': 'no-store' } };
}

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
  return redirect(rec);
});

/**
 * GET /media/{fileId}/content with `Range: bytes=…` or `?offset=&size=` → 206 with the exact bytes,
 * at most settings.maxRangeBytes per answer (players ask again for the rest); no range → 302.
 */
export const content = httpHandler(api.content, async ({ path, query, headers, caller }) => {
  const rec = await store.visible(path.fileId, caller!);
  const byQuery = query.offset !== undefined || query.size !== undefined;
  const header = headers.range;
  if (byQuery && header !== undefined) throw badRequest('use either the Range header or ?offset=&size=, not both', [{ path: 'headers.range', message: 'with offset/size' }]);
  if (!byQuery && header === undefined) return redirect(rec);
  const outcome = byQuery ? offsetRange(query.offset ?? 0, query.size, rec.size) : parseRangeHeader(header!, rec.size);
  if (outcome.kind === 'malformed') throw badRequest(`invalid Range header: ${outcome.reason}`, [{ path: 'headers.range', message: outcome.reason }]);
  if (outcome.kind === 'unsatisfiable') {
    throw new HttpError(416, 'RangeNotSatisfiable', outcome.reason, [{ path: byQuery ? 'query.offset' : 'headers.range', message: outcome.reason }], {
      'content-range': `bytes */${rec.size}`,
    });
  }
  const range = capRange(outcome, settings.maxRangeBytes);
  const bytes = await store.readRange(rec, range);
  return {
    statusCode: 206,
    raw: true,
    isBase64Encoded: true,
    body: bytes.toString('base64'),
    headers: {
      'content-type': rec.contentType,
      'content-range': contentRange(range, rec.size),
      'accept-ranges': 'bytes',
      etag: rec.etag ?? '',
    },
  };
});

/** GET /media?appId=&userId=&limit=&cursor= → { files, cursor? } newest first */
export const list = httpHandler(api.list, async ({ query, caller }) => {
  const { cursor, ...q } = query;
  return json(200, await store.listFiles({ ...q, ...(cursor !== undefined ? { cursor } : {}) }, caller!));
});
