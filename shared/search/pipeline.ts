/**
 * Indexing one image: the worker's whole job, written against small ports so it runs unchanged in the
 * Lambda (S3 + model) and in integration tests (fake extractor).
 *
 * Exactly once per image content and model, by construction rather than by locking around a queue:
 * 1. the features record (image key + model) is claimed with a conditional write naming the revision we
 *    read; a second worker on the same content sees a live lease and backs off (`BusyError`, retried by
 *    SQS), a duplicate delivery after completion sees `indexed`/`failed` and does nothing;
 * 2. the model's output is stored on the record before the index log hears of it, so a worker that dies
 *    after extracting leaves `indexing`, and whoever takes over only re-appends (no second model run);
 * 3. the index log is append-only and upserts are idempotent, so a re-append is harmless.
 * New content under the same key (another ETag) supersedes at once; the older worker's next conditional
 * write fails and it repairs the log from whatever the record says now.
 */
import type { IndexStore, VectorChange } from '../vectors/index.js';
import { LostRaceError, type FeaturesRepo } from './features.js';
import {
  MAX_INDEXED_FACES,
  decideClaim,
  decodeEmbeddings,
  encodeEmbeddings,
  faceId,
  type Box,
  type FeatureRecord,
  type ObjectVersion,
} from './records.js';

/** The image cannot be processed, now or ever (missing, too big, not an image): counted as failed. */
export class ImageProblem extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ImageProblem';
  }
}

/** Another worker holds a live lease on this content: retry later. */
export class BusyError extends Error {
  constructor(imageKey: string, readonly until: number) {
    super(`${imageKey} is being processed by another worker (lease until ${new Date(until).toISOString()})`);
    this.name = 'BusyError';
  }
}

export interface ExtractedFaces {
  faces: Array<{ box: Box; score: number; embedding: ArrayLike<number> }>;
  width: number;
  height: number;
  ms: number;
}

export interface PipelineDeps {
  repo: FeaturesRepo;
  store: IndexStore;
  model: string;
  dimension: number;
  /** HEAD of the object: its version and size; throws ImageProblem('missing: …') when absent. */
  head(imageKey: string): Promise<ObjectVersion & { size: number }>;
  /** The bytes of exactly that version (throws when the object changed meanwhile: transient). */
  load(imageKey: string, etag: string): Promise<Uint8Array>;
  /** Runs the model; throws ImageProblem for undecodable input. */
  extract(bytes: Uint8Array): Promise<ExtractedFaces>;
  maxBytes: number;
  /** Lease length for one claim: longer than one extraction can take in this function. */
  leaseMs(): number;
  owner: string;
  now?: () => number;
}

export type ImageOutcome =
  | { status: 'indexed'; faces: number; extracted: boolean; logVersion?: number }
  | { status: 'failed'; reason: string; extracted: boolean };

const MAX_RACES = 5;

export async function processImage(d: PipelineDeps, imageKey: string): Promise<ImageOutcome> {
  const now = d.now ?? Date.now;
  let obj: ObjectVersion & { size: number };
  try {
    obj = await d.head(imageKey);
  } catch (err) {
    // Nothing to record against: a missing object has no content to describe.
    if (err instanceof ImageProblem) return { status: 'failed', reason: err.reason, extracted: false };
    throw err;
  }
  for (let race = 0; race < MAX_RACES; race++) {
    const rec = await d.repo.get(imageKey, d.model);
    const decision = decideClaim(rec, obj, now());
    if (decision.action === 'done' || decision.action === 'stale') return outcomeOf(rec!);
    if (decision.action === 'busy') throw new BusyError(imageKey, decision.until);
    let mine: FeatureRecord;
    try {
      mine = await d.repo.claim(imageKey, d.model, rec, { mode: decision.action, obj, owner: d.owner, leaseUntil: now() + d.leaseMs(), now: now() });
    } catch (err) {
      if (err instanceof LostRaceError) continue;
      throw err;
    }
    try {
      return decision.action === 'extract' ? await extractAndIndex(d, mine, obj) : await indexStored(d, mine, false);
    } catch (err) {
      if (err instanceof LostRaceError) return repair(d, imageKey);
      throw err;
    }
  }
  throw new Error(`${imageKey}: gave up after ${MAX_RACES} lost races`);
}

async function extractAndIndex(d: PipelineDeps, rec: FeatureRecord, obj: ObjectVersion & { size: number }): Promise<ImageOutcome> {
  const now = d.now ?? Date.now;
  if (obj.size > d.maxBytes) return fail(d, rec, `too_large: ${obj.size} bytes; at most ${d.maxBytes}`);
  let found: ExtractedFaces;
  try {
    const bytes = await d.load(rec.imageKey, rec.etag);
    found = await d.extract(bytes);
  } catch (err) {
    if (err instanceof ImageProblem) return fail(d, rec, err.reason);
    throw err;
  }
  const faces = [...found.faces].sort((a, b) => b.score - a.score).slice(0, MAX_INDEXED_FACES);
  const saved = await d.repo.saveExtracted(rec, {
    faces: faces.map((f) => ({ box: f.box, score: f.score })),
    embeddings: encodeEmbeddings(faces.map((f) => f.embedding), d.dimension),
    dimension: d.dimension,
    width: found.width,
    height: found.height,
    ms: found.ms,
    now: now(),
  });
  return indexStored(d, saved, true);
}

/** Appends the stored faces (and removals of the previous content's extra faces) to the index log. */
async function indexStored(d: PipelineDeps, rec: FeatureRecord, extracted: boolean): Promise<ImageOutcome> {
  const now = d.now ?? Date.now;
  const version = await d.store.append(changesFor(d, rec));
  await d.repo.markIndexed(rec, now(), version);
  return { status: 'indexed', faces: rec.faces?.length ?? 0, extracted, logVersion: version };
}

async function fail(d: PipelineDeps, rec: FeatureRecord, reason: string): Promise<ImageOutcome> {
  const removes = removals(rec.imageKey, 0, rec.staleFaces ?? 0);
  if (removes.length) await d.store.append(removes);
  await d.repo.markFailed(rec, reason, (d.now ?? Date.now)());
  return { status: 'failed', reason, extracted: false };
}

/**
 * We lost the record mid-way (deleted, or superseded by newer content) after possibly appending to the
 * log: make the log's last word for this image match what the record says now.
 */
async function repair(d: PipelineDeps, imageKey: string): Promise<ImageOutcome> {
  const rec = await d.repo.get(imageKey, d.model);
  if (!rec) {
    await d.store.append(removals(imageKey, 0, MAX_INDEXED_FACES));
    return { status: 'failed', reason: 'removed while being indexed', extracted: false };
  }
  if (rec.embeddings && (rec.status === 'indexing' || rec.status === 'indexed')) await d.store.append(changesFor(d, rec));
  else await d.store.append(removals(imageKey, 0, MAX_INDEXED_FACES));
  return outcomeOf(rec);
}

function changesFor(d: PipelineDeps, rec: FeatureRecord): VectorChange[] {
  const vectors = rec.embeddings ? decodeEmbeddings(rec.embeddings, d.dimension) : [];
  const upserts: VectorChange[] = vectors.map((vector, i) => ({ op: 'upsert', id: faceId(rec.imageKey, i), vector }));
  return [...upserts, ...removals(rec.imageKey, vectors.length, rec.staleFaces ?? 0)];
}

const removals = (imageKey: string, from: number, to: number): VectorChange[] =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => ({ op: 'remove', id: faceId(imageKey, from + i) }));

function outcomeOf(rec: FeatureRecord): ImageOutcome {
  if (rec.status === 'failed') return { status: 'failed', reason: rec.reason ?? 'failed', extracted: false };
  return { status: 'indexed', faces: rec.faces?.length ?? 0, extracted: false };
}

/** Removes an image (every model's record) from the index; returns the faces removed. */
export async function removeImage(
  repo: FeaturesRepo,
  storeFor: (model: string) => IndexStore,
  imageKey: string,
): Promise<{ found: boolean; faces: number }> {
  let faces = 0;
  let found = false;
  for (let race = 0; race < MAX_RACES; race++) {
    const recs = await repo.forImage(imageKey);
    if (!recs.length) return { found, faces };
    found = true;
    let lost = false;
    for (const rec of recs) {
      if (!(await repo.delete(rec))) {
        lost = true;
        continue;
      }
      const n = Math.max(rec.faces?.length ?? 0, rec.staleFaces ?? 0);
      if (rec.status === 'indexed') faces += rec.faces?.length ?? 0;
      // An in-flight worker may still append for this image: it repairs once its next write fails.
      if (n) await storeFor(rec.model).append(removals(imageKey, 0, n));
    }
    if (!lost) return { found, faces };
  }
  throw new Error(`${imageKey}: the record kept changing while being removed`);
}
