/**
 * The one interface every vector-index backend implements (in-process exact and HNSW today;
 * OpenSearch k-NN or S3 Vectors later), plus the typed errors and the vector hygiene they share.
 */

export type VectorInput = Float32Array | ArrayLike<number>;

export interface SearchHit {
  id: string;
  /** Cosine similarity in [-1, 1]; higher is more similar. */
  score: number;
}

export interface SearchOptions {
  /** Drop hits scoring below this cosine similarity (so fewer than k may come back). */
  minScore?: number;
}

export type IndexKind = 'exact' | 'hnsw';

export interface VectorIndex {
  readonly kind: IndexKind;
  readonly dimension: number;
  /** Number of live entries. */
  readonly size: number;
  has(id: string): boolean;
  /** Insert, or replace the vector of an existing id. */
  upsert(id: string, vector: VectorInput): void;
  /** Returns whether the id was present. */
  remove(id: string): boolean;
  /** At most k hits by cosine similarity, best first. */
  search(query: VectorInput, k: number, opts?: SearchOptions): SearchHit[];
  /** Self-describing bytes for `loadIndex` (to persist in S3). */
  serialize(): Promise<Uint8Array> | Uint8Array;
}

/**
 * In-process backends can also enumerate their contents, which is what lets an index be rebuilt as
 * another kind (e.g. exact → hnsw once it outgrows the exact threshold). Remote backends need not.
 */
export interface LocalVectorIndex extends VectorIndex {
  /** Live entries as unit-length vectors (views may be reused between iterations: copy to keep). */
  entries(): IterableIterator<[string, Float32Array]>;
}

export class VectorIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class DimensionMismatchError extends VectorIndexError {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`vector has dimension ${actual}, index expects ${expected}`);
  }
}

/** Zero-length or non-finite vectors: cosine similarity is undefined for them. */
export class InvalidVectorError extends VectorIndexError {}

/** Bytes that are not a serialized index of a known format/version, or are truncated. */
export class CorruptIndexError extends VectorIndexError {}

/**
 * Copies `vector` into `out` scaled to unit length, so cosine similarity is a plain dot product.
 * Embeddings from the model are already normalised; doing it again is cheap (one pass) and makes the
 * index correct for any caller.
 */
export function normalizeInto(vector: VectorInput, dimension: number, out: Float32Array): Float32Array {
  if (vector.length !== dimension) throw new DimensionMismatchError(dimension, vector.length);
  let sq = 0;
  for (let i = 0; i < dimension; i++) {
    const v = vector[i]!;
    sq += v * v;
  }
  // NaN/Infinity anywhere makes sq non-finite, so one check covers every component.
  if (!Number.isFinite(sq)) throw new InvalidVectorError('vector has non-finite components');
  if (sq === 0) throw new InvalidVectorError('vector has zero length');
  const inv = 1 / Math.sqrt(sq);
  for (let i = 0; i < dimension; i++) out[i] = vector[i]! * inv;
  return out;
}

export function checkDimension(dimension: number): void {
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > 65_536) {
    throw new RangeError(`invalid dimension ${dimension}`);
  }
}

export function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be a non-negative integer, got ${k}`);
}

export function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new VectorIndexError('id must be a non-empty string');
}
