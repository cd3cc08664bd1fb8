import * as z from 'zod';
import { FILE_ID_PATTERN } from '../media-store/ids.js';
import { MAX_FILE_SIZE } from '../media-store/plan.js';
import { error, ok, route } from './route.js';

export const fileIdPath = z.object({
  fileId: z.string().regex(FILE_ID_PATTERN, 'fileId is malformed (21 characters of 0-9 and a-z, as returned by POST /media/uploads)'),
});

/** appId and userId: what the router and the byUser index are keyed on. */
export const nameField = (what: string) =>
  z.string({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be a string`) }).regex(/^[A-Za-z0-9_.@-]{1,128}$/, `${what} must be 1-128 of [A-Za-z0-9_.@-]`);

export const fileView = z.object({
  fileId: z.string(),
  appId: z.string(),
  userId: z.string(),
  group: z.string(),
  fileName: z.string(),
  size: z.number().int(),
  contentType: z.string(),
  etag: z.string().optional(),
  status: z.enum(['uploading', 'ready', 'deleting', 'deleted']),
  createdAt: z.string(),
  updatedAt: z.string(),
}).meta({ id: 'MediaFile' });

const ticket = z.union([
  z.object({ fileId: z.string(), group: z.string(), expiresAt: z.string(), upload: z.object({ method: z.literal('PUT'), url: z.string(), headers: z.record(z.string(), z.string()) }) }),
  z.object({ fileId: z.string(), group: z.string(), expiresAt: z.string(), uploadId: z.string(), partSize: z.number().int(), parts: z.array(z.object({ partNumber: z.number().int(), url: z.string() })) }),
]).meta({ id: 'UploadTicket' });

export const createUpload = route({
  method: 'POST', url: '/media/uploads', operationId: 'createUpload', tag: 'media', auth: 'apiKey',
  summary: 'Plan an upload: one presigned PUT, or presigned parts of a multipart upload',
  body: z.object({
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
  }),
  responses: {
    201: ok('the upload ticket', ticket),
    403: error('an app-bound key uploading for another app'),
    409: error("the user's storage group is read-only"),
  },
});

export const completeBody = z.object({
  parts: z.array(z.object({
    partNumber: z.number().int().min(1).max(10_000),
    etag: z.string().min(1).max(256),
  })).min(1).max(10_000).optional(),
});

export const completeUpload = route({
  method: 'POST', url: '/media/uploads/{fileId}/complete', operationId: 'completeUpload', tag: 'media', auth: 'apiKey',
  summary: 'Finish an upload (body `{ parts }` for multipart uploads; none for a single PUT)',
  path: fileIdPath, rawBody: true, documentBody: completeBody,
  responses: {
    200: ok('the file, ready', fileView),
    404: error('unknown file'),
    409: error('the file is being deleted, or its bytes are not (all) there'),
  },
});

const redirect = { description: 'redirect to a presigned URL', headers: { location: 'the presigned URL' } };

export const getFile = route({
  method: 'GET', url: '/media/{fileId}', operationId: 'getMedia', tag: 'media', auth: 'apiKey',
  summary: 'Redirect to a presigned download URL (players follow it); `?redirect=false`: the URL as JSON',
  path: fileIdPath,
  // Browsers' fetch() cannot read a redirect's Location, and <video> cannot send the key: the console asks for the URL.
  query: z.object({ redirect: z.enum(['true', 'false'], { error: 'redirect must be true or false' }).default('true') }),
  responses: { 200: ok('the presigned URL (redirect=false)', z.object({ fileId: z.string(), url: z.string() })), 302: redirect, 404: error('unknown file') },
});

export const headFile = route({
  method: 'HEAD', url: '/media/{fileId}', operationId: 'headMedia', tag: 'media', auth: 'apiKey',
  summary: 'Size, type and ETag of a file (headers only)',
  path: fileIdPath,
  responses: {
    200: { description: 'the file exists', headers: { 'content-length': 'size in bytes', 'x-media-size': 'size in bytes', 'content-type': 'media type', etag: 'ETag' } },
    404: { description: 'unknown file (no body: HEAD)' },
  },
});

export const content = route({
  method: 'GET', url: '/media/{fileId}/content', operationId: 'getMediaContent', tag: 'media', auth: 'apiKey',
  summary: 'Ranged download: `Range: bytes=…` or `?offset=&size=` → 206 with the exact bytes; no range → 302',
  path: fileIdPath,
  query: z.object({
    offset: z.coerce.number({ message: 'offset must be a number' }).int('offset must be a whole number').min(0, 'offset must be 0 or more').optional(),
    size: z.coerce.number({ message: 'size must be a number' }).int('size must be a whole number').min(0, 'size must be 0 (to the end) or more').optional(),
  }),
  responses: {
    206: { description: 'the bytes of the range (at most the configured maximum per answer)', contentType: 'application/octet-stream', headers: { 'content-range': 'bytes start-end/size' } },
    302: redirect,
    404: error('unknown file'),
    409: error('the stored object no longer matches its record'),
    416: error('range not satisfiable'),
  },
});

export const list = route({
  method: 'GET', url: '/media', operationId: 'listMedia', tag: 'media', auth: 'apiKey',
  summary: "A user's files, newest first",
  query: z.object({
    appId: nameField('appId'),
    userId: nameField('userId'),
    limit: z.coerce.number({ message: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be between 1 and 100').max(100, 'limit must be between 1 and 100').default(20),
    cursor: z.string().max(2048).optional(),
  }),
  responses: {
    200: ok('a page of files', z.object({ files: z.array(fileView), cursor: z.string().optional() })),
    403: error('an app-bound key listing another app'),
  },
});

export const remove = route({
  method: 'DELETE', url: '/media/{fileId}', operationId: 'deleteMedia', tag: 'media', auth: 'apiKey',
  summary: 'Delete a file (idempotent)',
  path: fileIdPath,
  responses: {
    200: ok('deleted', z.object({ fileId: z.string(), status: z.literal('deleted'), alreadyDeleted: z.boolean() })),
    404: error('unknown file'),
  },
});

export const groups = route({
  method: 'GET', url: '/groups', operationId: 'listGroups', tag: 'media', auth: 'apiKey',
  summary: 'Storage groups with their file counts and bytes',
  responses: {
    200: ok('the groups', z.object({ groups: z.array(z.object({ name: z.string(), bucket: z.string(), status: z.enum(['active', 'readonly']), files: z.number().int(), bytes: z.number() })) })),
  },
});
