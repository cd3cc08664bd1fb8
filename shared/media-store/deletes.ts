import { notFound } from '../platform/errors.js';
import { isConditionFailure } from '../platform/dynamo.js';
import type { FileRecord, MediaCaller } from './records.js';
import type { MediaDeps } from './deps.js';

/** Deletes object and record. Idempotent: a deleted file answers `already: true`; an unknown one 404. */
export async function deleteFile(d: MediaDeps, fileId: string, caller: MediaCaller): Promise<{ fileId: string; already: boolean }> {
  const rec = await d.files.get(fileId);
  if (!rec || (caller.appId && rec.appId !== caller.appId)) throw notFound(`file ${fileId} not found`);
  if (rec.status === 'deleted') return { fileId, already: true };
  await removeFile(d, rec);
  return { fileId, already: false };
}

/** Marks the file `deleting` (taking it out of its group's counters if it was ready), then finishes. */
export async function removeFile(d: MediaDeps, rec: FileRecord): Promise<void> {
  let current: FileRecord | undefined = rec;
  for (let attempt = 0; current && current.status !== 'deleting' && current.status !== 'deleted'; attempt++) {
    if (attempt === 5) throw new Error(`file ${rec.fileId} keeps changing state`);
    try {
      await markDeleting(d, current);
      current = { ...current, status: 'deleting' };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      current = await d.files.get(rec.fileId); // completed or deleted meanwhile
    }
  }
  if (current?.status === 'deleting') await finishDelete(d, current);
}

async function markDeleting(d: MediaDeps, rec: FileRecord): Promise<void> {
  if (rec.status !== 'ready') return d.files.markDeleting(rec);
  await d.groups.ensure();
  await d.files.markDeleting(rec, d.groups.countIn(rec.group, -1, -rec.size));
}

/** Object first, then the record: a crash in between leaves a `deleting` record for the sweep. */
async function finishDelete(d: MediaDeps, rec: FileRecord): Promise<void> {
  if (rec.uploadId) await d.objects.abortMultipart(rec.bucket, rec.key, rec.uploadId);
  await d.objects.deleteObject(rec.bucket, rec.key);
  await d.files.tombstone(rec);
}

/**
 * Finishes what was left half done: uploads never completed within `abandonAfterSeconds`
 * (object and record removed) and deletes interrupted for longer than `deleteGraceSeconds`.
 */
export async function sweep(d: MediaDeps, opts: { abandonAfterSeconds?: number; deleteGraceSeconds?: number } = {}): Promise<{ abandoned: number; finished: number; failed: number }> {
  const now = d.now();
  const before = (s: number) => new Date(now - s * 1000).toISOString();
  const stats = { abandoned: 0, finished: 0, failed: 0 };
  const run = async (pending: 'uploading' | 'deleting', cutoff: string, stat: 'abandoned' | 'finished') => {
    for await (const items of d.files.pendingSince(pending, cutoff)) {
      for (const item of items) {
        try {
          const rec = await d.files.get(String(item.fileId)); // the index lags; the table decides
          if (rec?.status !== pending) continue;
          await removeFile(d, rec);
          stats[stat]++;
        } catch {
          stats.failed++;
        }
      }
    }
  };
  await run('uploading', before(opts.abandonAfterSeconds ?? d.limits.abandonAfterSeconds), 'abandoned');
  await run('deleting', before(opts.deleteGraceSeconds ?? d.limits.deleteGraceSeconds), 'finished');
  return stats;
}
