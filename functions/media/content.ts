import * as api from '../../shared/api/media.js';
import { s3 } from '../../shared/platform/aws.js';
import { HttpError, badRequest } from '../../shared/platform/errors.js';
import { httpHandler } from '../../shared/platform/http/stack.js';
import { s3Objects } from '../../shared/media-store/objects.js';
import { capRange, contentRange, offsetRange, parseRangeHeader } from '../../shared/media-store/range.js';
import { redirect, settings, storeWith } from './context.js';

const store = storeWith(s3Objects(s3()));

/**
 * GET /media/{fileId}/content with `Range: bytes=…` or `?offset=&size=` → 206 with the exact bytes,
 * at most settings.maxRangeBytes per answer (players ask again for the rest); no range → 302.
 */
export const content = httpHandler(api.content, async ({ path, query, headers, caller }) => {
  const rec = await store.visible(path.fileId, caller!);
  const byQuery = query.offset !== undefined || query.size !== undefined;
  const header = headers.range;
  if (byQuery && header !== undefined) throw badRequest('use either the Range header or ?offset=&size=, not both', [{ path: 'headers.range', message: 'with offset/size' }]);
  if (!byQuery && header === undefined) return redirect(store, rec);
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
