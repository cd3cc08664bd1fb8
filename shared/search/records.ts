/**
 * Search-capability records and the pure rules around them. Nothing here touches AWS or the model, so
 * zip functions (batch, jobs, delete, checkpoint) can import it without the vision runtime.
 */
import { createHash } from 'node:crypto';

/** [x, y, width, height] in pixels of the source image. */
export type Box = [number, number, number, number];

/** Faces per image kept in a features record: 64 × 4 KB embeddings stay well inside DynamoDB's 400 KB item. */
export const MAX_INDEXED_FACES = 64;

/** Prefix whose new objects are indexed automatically. */
export const AUTO_INDEX_PREFIX = 'images/';

/** Index entry id of one face: `<imageKey>#<faceIndex>` (image keys may contain '#': split at the last). */
export const faceId = (imageKey: string, faceIndex: number) => `${imageKey}#${faceIndex}`;

export function parseFaceId(id: string): { imageKey: string; faceIndex: number } | undefined {
  const at = id.lastIndexOf('#');
  if (at <= 0) return undefined;
  const faceIndex = Number(id.slice(at + 1));
  if (!Number.isInteger(faceIndex) || faceIndex < 0) return undefined;
  return { imageKey: id.slice(0, at), faceIndex };
}

/** Embeddings travel and rest as little-endian float32 (4 KB per 1024-d face, vs ~20 KB as JSON). */
export function encodeEmbeddings(embeddings: ArrayLike<number>[], dimension: number): Uint8Array {
  const out = new Float32Array(embeddings.length * dimension);
  embeddings.forEach((e, i) => {
    if (e.length !== dimension) throw new RangeError(`embedding ${i} has ${e.length} values, expected ${dimension}`);
    out.set(Array.from(e), i * dimension);
  });
  return toLittleEndian(out);
}

export function decodeEmbeddings(bytes: Uint8Array, dimension: number): Float32Array[] {
  if (bytes.byteLength % (dimension * 4) !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dimension}-d float32 vectors`);
  const all = fromLittleEndian(bytes);
  const n = all.length / dimension;
  return Array.from({ length: n }, (_, i) => all.subarray(i * dimension, (i + 1) * dimension));
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function toLittleEndian(v: Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  const out = new Uint8Array(v.byteLength);
  const dv = new DataView(out.buffer);
  v.forEach((x, i) => dv.setFloat32(i * 4, x, true));
  return out;
}

function fromLittleEndian(bytes: Uint8Array): Float32Array {
  // Copy: DynamoDB/S3 buffers need not be 4-byte aligned.
  const copy = new Uint8Array(bytes);
  if (littleEndian) return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  const dv = new DataView(copy.buffer);
  return Float32Array.from({ length: copy.byteLength / 4 }, (_, i) => dv.getFloat32(i * 4, true));
}

// ---------------------------------------------------------------------------------------------------
// Features records: one per (image, model), also the lease that makes extraction happen once.
// ---------------------------------------------------------------------------------------------------

/**
 * extracting → indexing → indexed, or → failed. `extracting`/`indexing` are held under a lease by one
 * worker (`owner`); a lease that ran out (worker died) may be taken over.
 */
export type FeatureStatus = 'extracting' | 'indexing' | 'indexed' | 'failed';

export interface FaceMeta {
  box: Box;
  score: number;
}

export interface FeatureRecord {
  imageKey: string;
  model: string;
  status: FeatureStatus;
  /** Content identity of the object the record describes. */
  etag: string;
  /** Object LastModified (ms): a record for older content never replaces one for newer content. */
  sourceModified: number;
  /** Optimistic-concurrency revision: every write is conditional on the one it read. */
  rev: number;
  owner?: string;
  leaseUntil?: number;
  faces?: FaceMeta[];
  /** float32 LE, faces × dimension. */
  embeddings?: Uint8Array;
  dimension?: number;
  /** Faces the previous content had, whose index entries beyond `faces.length` must be removed. */
  staleFaces?: number;
  width?: number;
  height?: number;
  ms?: number;
  /** Times the model ran for this record's content (1 unless a worker died mid-extraction). */
  extractions?: number;
  reason?: string;
  updatedAt: number;
}

export interface ObjectVersion {
  etag: string;
  lastModified: number;
}

/** What a worker should do about an image, given the record it read (if any) and the object's version. */
export type ClaimDecision =
  | { action: 'extract' } // claim, run the model, index
  | { action: 'index' } // take over an interrupted indexing: embeddings are stored, only the log append is missing
  | { action: 'done'; status: 'indexed' | 'failed' } // this content was handled already
  | { action: 'busy'; until: number } // another worker holds a live lease on this content
  | { action: 'stale' }; // the record describes newer content than the object we were told about

export function decideClaim(rec: FeatureRecord | undefined, obj: ObjectVersion, now: number): ClaimDecision {
  if (!rec) return { action: 'extract' };
  if (rec.etag !== obj.etag) {
    // S3 LastModified has 1 s resolution: a same-second overwrite counts as newer.
    return rec.sourceModified > obj.lastModified ? { action: 'stale' } : { action: 'extract' };
  }
  if (rec.status === 'indexed' || rec.status === 'failed') return { action: 'done', status: rec.status };
  if ((rec.leaseUntil ?? 0) > now) return { action: 'busy', until: rec.leaseUntil ?? now };
  return rec.status === 'indexing' ? { action: 'index' } : { action: 'extract' };
}

// ---------------------------------------------------------------------------------------------------
// Batch jobs
// ---------------------------------------------------------------------------------------------------

export type JobState = 'queuing' | 'running' | 'completed' | 'failed';

export interface JobRecord {
  jobId: string;
  total: number;
  done: number;
  failed: number;
  remaining: number;
  state: JobState;
  appId?: string;
  createdAt: number;
  completedAt?: number;
  /** Epoch seconds (DynamoDB TTL). */
  expiresAt: number;
  error?: string;
}

export interface JobView {
  jobId: string;
  total: number;
  done: number;
  failed: number;
  state: JobState;
  createdAt: string;
  completedAt?: string;
  expiresAt: string;
  error?: string;
}

/**
 * What GET /features/jobs/{id} shows. A job whose counters are complete reads as completed even if the
 * worker died before flipping the state (the next delivery flips it); an item past its TTL is gone even
 * if DynamoDB has not deleted it yet (TTL deletion lags up to days).
 */
export function jobView(job: JobRecord, nowMs: number): JobView | undefined {
  if (job.expiresAt * 1000 <= nowMs) return undefined;
  const state: JobState = job.state === 'running' && job.remaining <= 0 ? 'completed' : job.state;
  return {
    jobId: job.jobId,
    total: job.total,
    done: job.done,
    failed: job.failed,
    state,
    createdAt: new Date(job.createdAt).toISOString(),
    ...(job.completedAt ? { completedAt: new Date(job.completedAt).toISOString() } : {}),
    expiresAt: new Date(job.expiresAt * 1000).toISOString(),
    ...(job.error ? { error: job.error } : {}),
  };
}

/** Task items are keyed by a hash: image keys may be up to 1024 bytes, a sort key must leave room. */
export const taskSortKey = (imageKey: string) => `task#${createHash('sha256').update(imageKey).digest('base64url')}`;

// ---------------------------------------------------------------------------------------------------
// App scoping: a key bound to an app sees only images under images/<appId>/.
// ---------------------------------------------------------------------------------------------------

export const appPrefix = (appId: string | undefined) => (appId ? `${AUTO_INDEX_PREFIX}${appId}/` : undefined);

export function inScope(imageKey: string, appId: string | undefined): boolean {
  const p = appPrefix(appId);
  return !p || imageKey.startsWith(p);
}

// ---------------------------------------------------------------------------------------------------
// Ranking search hits
// ---------------------------------------------------------------------------------------------------

export interface Hit {
  id: string;
  score: number;
}

export interface Match {
  imageKey: string;
  faceIndex: number;
  score: number;
}

/**
 * Turns raw index hits into matches: drops the query image itself (searching by key asks for *other*
 * images), out-of-scope images and unparseable ids, keeps the best k. Hits arrive best first.
 */
export function selectMatches(hits: Hit[], opts: { k: number; excludeImage?: string; appId?: string; minScore?: number }): Match[] {
  const out: Match[] = [];
  for (const h of hits) {
    if (out.length >= opts.k) break;
    if (opts.minScore !== undefined && h.score < opts.minScore) continue;
    const p = parseFaceId(h.id);
    if (!p || p.imageKey === opts.excludeImage || !inScope(p.imageKey, opts.appId)) continue;
    out.push({ imageKey: p.imageKey, faceIndex: p.faceIndex, score: Math.round(h.score * 10_000) / 10_000 });
  }
  return out;
}

/** How many raw hits to ask the index for so that filtering still leaves k (bounded: the rest is a per-app index's job). */
export function oversample(k: number, opts: { ownFaces: number; scoped: boolean; size: number }): number {
  const want = opts.scoped ? Math.max(k * 5, k + 50) : k + opts.ownFaces;
  return Math.min(Math.max(want, k), Math.max(opts.size, k));
}
