import { z } from 'zod';
import { badRequest } from '../../shared/errors.js';
import { httpHandler, json } from '../../shared/http/stack.js';
import { MAX_FILE_SIZE } from '../../shared/media-store/plan.js';
import { parseOr400 } from '../../shared/validation.js';
import { fileIdPath, nameField, store } from './context.js';

const body = z.object({
  appId: nameField('appId'),
  userId: nameField('userId'),
  fileName: z.string({ error: (i) => (i.input === undefined ? 'fileName is required' : 'fileName must be a string') }).min(1, 'fileName is empty').max(255, 'fileName is longer than 255 characters')
    // eslint-disable-next-line no-control-regex
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'fileName contains control characters'),
  size: z.number({ error: (i) => (i.input === undefined ? 'size is required: the file size in bytes' : 'size must be a number of bytes') })
    .int('size must be a whole number of bytes')
    .min(1, 'size must be at least 1 byte')
    .max(MAX_FILE_SIZE, `size must be at most ${MAX_FILE_SIZE} bytes (50 GiB)`),
  contentType: z.string().max(255).regex(/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/, 'contentType must be a media type such as video/mp4')
    .default('application/octet-stream'),
});

/** POST /media/uploads → 201 { fileId, upload: { method, url, headers } } or { fileId, uploadId, partSize, parts } */
export const create = httpHandler({ auth: 'apiKey', body }, async ({ body, caller }) =>
  json(201, await store.createUpload(body, caller!)),
);

const completeBody = z.object({
  parts: z.array(z.object({
    partNumber: z.number().int().min(1).max(10_000),
    etag: z.string().min(1).max(256),
  })).min(1).max(10_000).optional(),
});

/** POST /media/uploads/{fileId}/complete (body { parts } for multipart uploads; none for a single PUT) */
export const complete = httpHandler({ auth: 'apiKey', path: fileIdPath }, async ({ path, rawBody, caller }) => {
  let parsed: unknown = {};
  if (rawBody && rawBody.length) {
    try {
      parsed = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw badRequest('request body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
    }
  }
  const { parts } = parseOr400(completeBody, parsed, 'body');
  return json(200, await store.completeUpload(path.fileId, parts, caller!));
});
