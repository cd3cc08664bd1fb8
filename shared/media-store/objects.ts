import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { presignGet as presignGetUrl } from '../platform/presign.js';
import type { ByteRange } from './range.js';
import { isNoSuchUpload, isNotFound } from './object-errors.js';

export { isNoSuchUpload, isNotFound };

/** The S3 side of the media store: presigned URLs and the few calls the service makes itself. */

type Presignable = PutObjectCommand | UploadPartCommand | GetObjectCommand;

/**
 * The SDK adds flexible-checksum headers (a CRC32 of the *empty* body for PUTs) that the presigner
 * hoists into the URL: S3 would then reject every upload whose body is not empty. The checksum
 * belongs to the uploader, not to the URL, so it is dropped before signing.
 */
type Next = (args: { request: unknown }) => Promise<unknown>;
const dropChecksums = (next: Next) => async (args: { request: unknown }) => {
  const req = args.request as { headers?: Record<string, string> };
  for (const h of Object.keys(req.headers ?? {})) {
    if (/^x-amz-(checksum-|sdk-checksum-algorithm)/i.test(h)) delete req.headers![h];
  }
  return next(args);
};

export async function presign(s3: S3Client, command: Presignable, expiresIn: number, signed: string[] = []): Promise<string> {
  const cmd = command as unknown as Parameters<typeof getSignedUrl>[1];
  cmd.middlewareStack.add(dropChecksums as never, { step: 'build', priority: 'low', name: 'mediaDropPresignChecksums' });
  return getSignedUrl(s3, cmd, { expiresIn, ...(signed.length ? { signableHeaders: new Set(signed) } : {}) });
}

/**
 * Content-Length is signed: S3 refuses a body of any other size, so the URL cannot store more (or
 * less) than was declared, not even by a PUT after completion (the URL outlives the upload).
 */
export const presignPut = (s3: S3Client, bucket: string, key: string, contentType: string, size: number, expiresIn: number) =>
  presign(s3, new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: contentType, ContentLength: size }), expiresIn, ['content-type', 'content-length']);

export const presignPart = (s3: S3Client, bucket: string, key: string, uploadId: string, partNumber: number, size: number, expiresIn: number) =>
  presign(s3, new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, ContentLength: size }), expiresIn, ['content-length']);

/**
 * A GET URL that answers with the recorded content type whatever the uploader sent. Signed without
 * the S3 client (shared/platform/presign.ts), so the functions that only hand out links bundle none.
 */
export const presignGet = (bucket: string, key: string, contentType: string, expiresIn: number) =>
  presignGetUrl(bucket, key, { expiresIn, responseContentType: contentType, checksumMode: false });

export async function createMultipart(s3: S3Client, bucket: string, key: string, contentType: string): Promise<string> {
  const r = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
  if (!r.UploadId) throw new Error('S3 returned no UploadId');
  return r.UploadId;
}

export async function completeMultipart(s3: S3Client, bucket: string, key: string, uploadId: string, parts: Array<{ partNumber: number; etag: string }>): Promise<void> {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  await s3.send(new CompleteMultipartUploadCommand({
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    MultipartUpload: { Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
  }));
}

/** Idempotent: an upload already completed or aborted is fine. */
export async function abortMultipart(s3: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
  try {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  } catch (err) {
    if (!isNoSuchUpload(err)) throw err;
  }
}

export async function headObject(s3: S3Client, bucket: string, key: string): Promise<{ size: number; etag: string } | undefined> {
  try {
    const r = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: Number(r.ContentLength ?? 0), etag: r.ETag ?? '' };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** `etag` guards against serving bytes of an object that is not the one recorded (S3 answers 412). */
export async function readRange(s3: S3Client, bucket: string, key: string, r: ByteRange, etag?: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${r.start}-${r.end}`, ...(etag ? { IfMatch: etag } : {}) }));
  const bytes = Buffer.from(await out.Body!.transformToByteArray());
  if (bytes.length !== r.end - r.start + 1) throw new Error(`S3 answered ${bytes.length} bytes for range ${r.start}-${r.end}`);
  return bytes;
}

/** Idempotent (S3 answers 204 for a missing key). */
export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/**
 * The object side of the media store as the store uses it: an S3 client bound in (s3Objects), or
 * links only (linkObjects) for the functions that never touch an object's bytes.
 */
export interface MediaObjects {
  presignPut(bucket: string, key: string, contentType: string, size: number, expiresIn: number): Promise<string>;
  presignPart(bucket: string, key: string, uploadId: string, partNumber: number, size: number, expiresIn: number): Promise<string>;
  presignGet(bucket: string, key: string, contentType: string, expiresIn: number): Promise<string>;
  createMultipart(bucket: string, key: string, contentType: string): Promise<string>;
  completeMultipart(bucket: string, key: string, uploadId: string, parts: Array<{ partNumber: number; etag: string }>): Promise<void>;
  abortMultipart(bucket: string, key: string, uploadId: string): Promise<void>;
  headObject(bucket: string, key: string): Promise<{ size: number; etag: string } | undefined>;
  readRange(bucket: string, key: string, r: ByteRange, etag?: string): Promise<Buffer>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

export function s3Objects(s3: S3Client): MediaObjects {
  return {
    presignPut: (...a) => presignPut(s3, ...a),
    presignPart: (...a) => presignPart(s3, ...a),
    presignGet,
    createMultipart: (...a) => createMultipart(s3, ...a),
    completeMultipart: (...a) => completeMultipart(s3, ...a),
    abortMultipart: (...a) => abortMultipart(s3, ...a),
    headObject: (...a) => headObject(s3, ...a),
    readRange: (...a) => readRange(s3, ...a),
    deleteObject: (...a) => deleteObject(s3, ...a),
  };
}
