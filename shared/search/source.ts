/**
 * Where request images come from: the images bucket (key), an allow-listed URL (the photo pipeline's
 * SSRF rules, shared/platform/net), or inline base64. Each failure is the caller's fault and answers 4xx.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { badRequest, notFound, payloadTooLarge, unprocessable as unprocessableError } from '../platform/errors.js';
import { SafeFetchError, safeFetch } from '../platform/net/safe-fetch.js';
import type { AllowList } from '../platform/net/allow.js';
import { ImageProblem } from './pipeline.js';
import type { ObjectVersion } from './records.js';

export const unprocessable = (message: string, code = 'UnprocessableImage') => unprocessableError(message, code);

export interface LoadedImage {
  bytes: Uint8Array;
  /** Set for bucket images. */
  version?: ObjectVersion;
}

const isMissing = (err: unknown) => ['NoSuchKey', 'NotFound'].includes((err as Error).name) || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

/** HEAD of an object in the images bucket (ImageProblem when absent, for the worker). */
export async function headImage(s3: S3Client, bucket: string, key: string): Promise<ObjectVersion & { size: number }> {
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { etag: (h.ETag ?? '').replaceAll('"', ''), lastModified: h.LastModified?.getTime() ?? 0, size: h.ContentLength ?? 0 };
  } catch (err) {
    if (isMissing(err)) throw new ImageProblem(`missing: s3://${bucket}/${key} does not exist`);
    throw err;
  }
}

/** The bytes of one exact version (If-Match): a concurrent overwrite fails instead of mixing contents. */
export async function loadVersion(s3: S3Client, bucket: string, key: string, etag?: string): Promise<Uint8Array> {
  try {
    const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(etag ? { IfMatch: `"${etag}"` } : {}) }));
    return await obj.Body!.transformToByteArray();
  } catch (err) {
    if (isMissing(err)) throw new ImageProblem(`missing: s3://${bucket}/${key} does not exist`);
    throw err;
  }
}

export async function fromBucket(s3: S3Client, bucket: string, key: string, maxBytes: number): Promise<LoadedImage> {
  try {
    const version = await headImage(s3, bucket, key);
    if (version.size > maxBytes) throw payloadTooLarge(`image ${key} is ${version.size} bytes; at most ${maxBytes} accepted`);
    return { bytes: await loadVersion(s3, bucket, key, version.etag), version };
  } catch (err) {
    if (err instanceof ImageProblem) throw notFound(`image ${key} does not exist in the images bucket`);
    throw err;
  }
}

export async function fromUrl(url: string, o: { allow: AllowList; maxBytes: number; timeoutMs: number }): Promise<LoadedImage> {
  try {
    const res = await safeFetch(url, { allow: o.allow, maxBytes: o.maxBytes, timeoutMs: o.timeoutMs });
    if (res.status === 404 || res.status === 410) throw notFound(`imageUrl answered ${res.status}`);
    if (res.status !== 200) throw unprocessable(`imageUrl answered ${res.status}`, 'ImageUrlFailed');
    return { bytes: res.body };
  } catch (err) {
    if (!(err instanceof SafeFetchError)) throw err;
    if (err.code === 'too_large') throw payloadTooLarge(`imageUrl: ${err.message}`);
    if (err.code === 'blocked' || err.code === 'bad_url') throw badRequest(`imageUrl refused: ${err.message}`, [{ path: 'body.imageUrl', message: err.message }]);
    throw unprocessable(`imageUrl could not be fetched (${err.code}): ${err.message}`, 'ImageUrlFailed');
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Accepts plain or data-URL base64 (`data:image/jpeg;base64,…`). */
export function fromBase64(text: string, maxBytes: number): LoadedImage {
  const payload = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
  const compact = payload.replace(/\s+/g, '');
  if (!compact.length || !BASE64.test(compact)) throw badRequest('imageBase64 is not base64', [{ path: 'body.imageBase64', message: 'not base64' }]);
  // 4 chars carry 3 bytes: refuse before decoding.
  const size = Math.floor((compact.length * 3) / 4);
  if (size > maxBytes + 2) throw payloadTooLarge(`imageBase64 decodes to about ${size} bytes; at most ${maxBytes} accepted (use imageKey for larger images)`);
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length > maxBytes) throw payloadTooLarge(`imageBase64 decodes to ${bytes.length} bytes; at most ${maxBytes} accepted (use imageKey for larger images)`);
  return { bytes };
}
