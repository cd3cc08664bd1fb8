import { badRequest } from '../../shared/platform/errors.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import * as api from '../../shared/api/media.js';
import { parseOr400 } from '../../shared/platform/validation.js';
import { s3 } from '../../shared/platform/aws.js';
import { s3Objects } from '../../shared/media-store/objects.js';
import { storeWith } from './context.js';

const store = storeWith(s3Objects(s3()));

/** POST /media/uploads → 201 { fileId, upload: { method, url, headers } } or { fileId, uploadId, partSize, parts } */
export const create = httpHandler(api.createUpload, async ({ body, caller }) =>
  json(201, await store.createUpload(body, caller!)),
);

/** POST /media/uploads/{fileId}/complete (body { parts } for multipart uploads; none for a single PUT) */
export const complete = httpHandler(api.completeUpload, async ({ path, rawBody, caller }) => {
  let parsed: unknown = {};
  if (rawBody && rawBody.length) {
    try {
      parsed = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw badRequest('request body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
    }
  }
  const { parts } = parseOr400(api.completeBody, parsed, 'body');
  return json(200, await store.completeUpload(path.fileId, parts, caller!));
});
