import pMap from 'p-map';
import { logger } from '../platform/logger.js';
import { nextIds } from '../ids/index.js';
import { send, sendBatch } from '../platform/sqs/queues.js';
import type { ErrorDetail } from '../platform/errors.js';
import type { ItemResult } from './intake.js';
import type { Detection, PhotoRecord } from './records.js';
import type { PhotoRepo } from './repo.js';

/** The pipeline steps shared by several handlers (intake, the analyser and the callback). */
export const ID_KEY = 'photo';

/** Messages on the download, analyse and report queues: just the id; the record is the truth. */
export interface StageMessage {
  id: number;
}

export type IntakeAnswer =
  | { status: 'success'; id: number; duplicate?: true }
  | { status: 'error'; message: string; details: ErrorDetail[] };

const CREATE_CONCURRENCY = 16;

/**
 * Writes the valid items (one record per distinct triple, even within one batch) and queues their
 * downloads. The write is the commit point: if queueing fails the answer is still "accepted" and the
 * sweeper picks the record up, so the caller never has to guess whether to resend.
 */
export async function acceptPhotos(repo: PhotoRepo, downloadQueue: string, items: readonly ItemResult[], now: number): Promise<IntakeAnswer[]> {
  const distinct = [...new Map(items.filter((i) => i.ok).map((i) => [i.value.dedupKey, i.value])).values()];
  const ids = distinct.length ? await nextIds(ID_KEY, distinct.length) : [];
  const results = await pMap(distinct.map((v, i) => ({ v, id: ids[i]! })), ({ v, id }) => repo.create(v, id, now), { concurrency: CREATE_CONCURRENCY });
  const byKey = new Map(distinct.map((v, i) => [v.dedupKey, results[i]!]));
  const created = results.filter((r) => r.created).map((r) => r.id);
  if (created.length) {
    try {
      await sendBatch(downloadQueue, created.map((id) => ({ body: { id } satisfies StageMessage })));
    } catch (err) {
      logger.error('could not queue downloads; the sweeper will re-drive them', { ids: created, error: (err as Error).message });
    }
  }
  const seen = new Set<string>();
  return items.map((i): IntakeAnswer => {
    if (!i.ok) return { status: 'error', message: i.message, details: i.details };
    const r = byKey.get(i.value.dedupKey)!;
    // The second copy of a triple within one batch is a duplicate too.
    const dup = !r.created || seen.has(i.value.dedupKey);
    seen.add(i.value.dedupKey);
    return dup ? { status: 'success', id: r.id, duplicate: true } : { status: 'success', id: r.id };
  });
}

export interface AnalysisResult {
  numOfPeople: number;
  /** People inside the camera's countRegion, when it has one. */
  numInRegion?: number;
  detections?: Detection[];
  model?: string;
  /** SPDX id of the model weights' licence. */
  licence?: string;
  inferenceMs?: number;
  by: 'detector' | 'callback';
}

export type ApplyOutcome =
  | { outcome: 'analysed'; record?: undefined }
  | { outcome: 'duplicate' | 'conflict'; record: PhotoRecord }
  | { outcome: 'missing'; record?: undefined };

/**
 * Stores an analysis and queues the report (the path both the detector and the callback take).
 * A repeat on a record that is still waiting for its report queues the report again: the report
 * consumer is idempotent, and this heals a crash between the update and the send.
 */
export async function applyResult(repo: PhotoRepo, reportQueue: string, id: number, result: AnalysisResult, now: number): Promise<ApplyOutcome> {
  const r = await repo.markAnalysed(id, result, now);
  if (r === 'missing') return { outcome: 'missing' };
  if (r === 'updated') {
    await send(reportQueue, { body: { id } satisfies StageMessage });
    return { outcome: 'analysed' };
  }
  const record = (await repo.get(id))!;
  if (record.stage === 'failed' || record.numOfPeople !== result.numOfPeople) return { outcome: 'conflict', record };
  if (record.stage === 'report') await send(reportQueue, { body: { id } satisfies StageMessage });
  return { outcome: 'duplicate', record };
}
