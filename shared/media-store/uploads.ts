import { badRequest, conflict, forbidden } from '../platform/errors.js';
import { encodeFileId, objectKey } from './ids.js';
import { isNoSuchUpload } from './object-errors.js';
import { MAX_FILE_SIZE, checkParts, partRanges, uploadPlan } from './plan.js';
import { userKey, view, type FileRecord, type FileView, type MediaCaller } from './records.js';
import { removeFile } from './deletes.js';
import { routeOf } from './route.js';
import { visible } from './reads.js';
import type { MediaDeps } from './deps.js';

export interface NewUpload {
  appId: string;
  userId: string;
  fileName: string;
  size: number;
  contentType: string;
}

export type UploadTicket =
  | { fileId: string; group: string; expiresAt: string; upload: { method: 'PUT'; url: string; headers: Record<string, string> } }
  | { fileId: string; group: string; expiresAt: string; uploadId: string; partSize: number; parts: Array<{ partNumber: number; url: string }> };

/** Records a new file in its user's group and hands out presigned URLs: one PUT, or one per part. */
export async function createUpload(d: MediaDeps, input: NewUpload, caller: MediaCaller): Promise<UploadTicket> {
  if (caller.appId && caller.appId !== input.appId) {
    throw forbidden(`this API key belongs to app ${caller.appId}: it cannot upload for app ${input.appId}`);
  }
  if (!(Number.isSafeInteger(input.size) && input.size > 0 && input.size <= MAX_FILE_SIZE)) {
    throw badRequest(`size must be between 1 and ${MAX_FILE_SIZE} bytes`, [{ path: 'body.size', message: 'out of range' }]);
  }
  const group = await routeOf(d, input.appId, input.userId);
  if (group.status !== 'active') throw conflict(`storage group ${group.name} of user ${input.userId} is read-only: it accepts no new files`);
  const seq = await d.nextSeq();
  const now = d.now();
  const fileId = encodeFileId(now, seq);
  const key = objectKey(fileId, input.fileName);
  const { uploadUrlSeconds } = d.limits;
  const plan = uploadPlan(input.size, d.limits.multipartThreshold);
  const expiresAt = new Date(now + uploadUrlSeconds * 1000).toISOString();
  const record: FileRecord = {
    fileId,
    appId: input.appId,
    userId: input.userId,
    group: group.name,
    bucket: group.bucket,
    key,
    fileName: input.fileName,
    size: input.size,
    contentType: input.contentType,
    status: 'uploading',
    createdAt: new Date(now).toISOString(),
    updatedAt: new Date(now).toISOString(),
    pending: 'uploading',
    pendingSince: new Date(now).toISOString(),
  };
  let ticket: UploadTicket;
  if (plan.kind === 'single') {
    const url = await d.objects.presignPut(group.bucket, key, input.contentType, input.size, uploadUrlSeconds);
    ticket = { fileId, group: group.name, expiresAt, upload: { method: 'PUT', url, headers: { 'content-type': input.contentType, 'content-length': String(input.size) } } };
  } else {
    // An upload created here but never recorded (crash) is aborted by the bucket's lifecycle rule.
    const uploadId = await d.objects.createMultipart(group.bucket, key, input.contentType);
    Object.assign(record, { uploadId, partSize: plan.partSize, partCount: plan.partCount });
    const parts = await Promise.all(partRanges(input.size, plan.partSize).map(async (p) => ({
      partNumber: p.partNumber,
      url: await d.objects.presignPart(group.bucket, key, uploadId, p.partNumber, p.end - p.start, uploadUrlSeconds),
    })));
    ticket = { fileId, group: group.name, expiresAt, uploadId, partSize: plan.partSize, parts };
  }
  await d.files.create(record);
  return ticket;
}

/**
 * Checks the object is there with the declared size, then marks the file ready and counts it in
 * its group. Idempotent: completing a ready file answers it again.
 */
export async function completeUpload(d: MediaDeps, fileId: string, parts: Array<{ partNumber: number; etag: string }> | undefined, caller: MediaCaller): Promise<FileView> {
  const rec = await visible(d, fileId, caller, ['uploading', 'ready', 'deleting']);
  if (rec.status === 'ready') return view(rec);
  if (rec.status === 'deleting') throw conflict(`file ${fileId} is being deleted`);
  if (rec.uploadId) {
    if (!parts) throw badRequest('a multipart upload is completed with body.parts: [{ partNumber, etag }]', [{ path: 'body.parts', message: 'required' }]);
    const problem = checkParts(parts, rec.partCount ?? 0);
    if (problem) throw badRequest(`invalid body.parts: ${problem}`, [{ path: 'body.parts', message: problem }]);
    try {
      await d.objects.completeMultipart(rec.bucket, rec.key, rec.uploadId, parts);
    } catch (err) {
      const name = (err as Error).name;
      if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall'].includes(name)) {
        throw badRequest(`S3 refused the parts (${name}): ${(err as Error).message}`, [{ path: 'body.parts', message: name }]);
      }
      // NoSuchUpload: an earlier attempt completed it (or it was aborted): the object tells which.
      if (!isNoSuchUpload(err)) throw err;
    }
  }
  const head = await d.objects.headObject(rec.bucket, rec.key);
  if (!head) {
    throw conflict(rec.uploadId
      ? `the multipart upload of ${fileId} no longer exists (aborted or expired): start a new upload`
      : `nothing was uploaded for ${fileId} yet: PUT the file to the upload URL, then complete`);
  }
  if (head.size !== rec.size) {
    if (rec.uploadId) {
      await removeFile(d, rec);
      throw conflict(`the uploaded object has ${head.size} bytes but ${rec.size} were declared: the upload is discarded, start a new one`);
    }
    throw conflict(`the uploaded object has ${head.size} bytes but ${rec.size} were declared: PUT the whole file again, then complete`);
  }
  await d.groups.ensure();
  const at = await d.files.markReady(rec, head.etag, userKey(rec.appId, rec.userId), d.groups.countIn(rec.group, 1, rec.size));
  if (at === false) {
    const again = await d.files.get(fileId);
    if (again?.status === 'ready') return view(again);
    throw conflict(`file ${fileId} is ${again?.status ?? 'gone'}: it can no longer be completed`);
  }
  return view({ ...rec, status: 'ready', etag: head.etag, updatedAt: at });
}
