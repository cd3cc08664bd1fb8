/**
 * Exact (brute-force) cosine index. Vectors are normalised on the way in and packed row-major into
 * one contiguous Float32Array, so a search is a single linear scan of dot products — cache- and
 * JIT-friendly, no per-entry objects for the GC to trace. Removal swaps the last row into the hole,
 * keeping the rows dense. ~1.2 µs per 1024-d row on one core, so it is the right choice up to a few
 * tens of thousands of entries (see AUTO_EXACT_MAX_SIZE in ./index.ts) and the ground truth for HNSW.
 */
import { PREFIX_BYTES, Reader, align4, encodedIdsLength, writeIds, writePrefix } from './codec.js';
import {
  CorruptIndexError,
  checkDimension,
  checkId,
  checkK,
  normalizeInto,
  type LocalVectorIndex,
  type SearchHit,
  type SearchOptions,
  type VectorInput,
} from './types.js';

export interface ExactIndexOptions {
  dimension: number;
  /** Rows to preallocate (grows by doubling anyway). */
  initialCapacity?: number;
}

const MIN_CAPACITY = 16;

export class ExactIndex implements LocalVectorIndex {
  readonly kind = 'exact' as const;
  readonly dimension: number;
  private data: Float32Array;
  private capacity: number;
  /** slot → id; slots 0..size-1 are live. */
  private readonly ids: string[] = [];
  private readonly slots = new Map<string, number>();
  /** Reused for the normalised query so a search allocates nothing proportional to dimension. */
  private readonly query: Float32Array;

  constructor(opts: ExactIndexOptions) {
    checkDimension(opts.dimension);
    this.dimension = opts.dimension;
    this.capacity = Math.max(MIN_CAPACITY, opts.initialCapacity ?? 0);
    this.data = new Float32Array(this.capacity * this.dimension);
    this.query = new Float32Array(this.dimension);
  }

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  upsert(id: string, vector: VectorInput): void {
    checkId(id);
    const d = this.dimension;
    const existing = this.slots.get(id);
    if (existing !== undefined) {
      // normalizeInto validates before writing, so a bad vector leaves the old one intact.
      normalizeInto(vector, d, this.data.subarray(existing * d, existing * d + d));
      return;
    }
    normalizeInto(vector, d, this.query); // validate first: a failed upsert must not grow the index
    const slot = this.ids.length;
    if (slot === this.capacity) this.resize(this.capacity * 2);
    this.data.set(this.query, slot * d);
    this.ids.push(id);
    this.slots.set(id, slot);
  }

  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const d = this.dimension;
    const last = this.ids.length - 1;
    if (slot !== last) {
      const moved = this.ids[last]!;
      this.data.copyWithin(slot * d, last * d, last * d + d);
      this.ids[slot] = moved;
      this.slots.set(moved, slot);
    }
    this.ids.pop();
    this.slots.delete(id);
    // Give memory back after mass deletions, with hysteresis so alternating add/remove doesn't thrash.
    if (this.capacity > MIN_CAPACITY && this.ids.length < this.capacity / 4) {
      this.resize(Math.max(MIN_CAPACITY, this.capacity >>> 1));
    }
    return true;
  }

  search(query: VectorInput, k: number, opts: SearchOptions = {}): SearchHit[] {
    checkK(k);
    const q = normalizeInto(query, this.dimension, this.query);
    const n = this.ids.length;
    const want = Math.min(k, n);
    if (want === 0) return [];
    const topScores = new Float64Array(want);
    const topSlots = new Int32Array(want);
    const filled = scanTopK(this.data, q, n, this.dimension, opts.minScore ?? -Infinity, topScores, topSlots);
    const hits: SearchHit[] = new Array(filled);
    for (let i = 0; i < filled; i++) hits[i] = { id: this.ids[topSlots[i]!]!, score: topScores[i]! };
    return hits;
  }

  *entries(): IterableIterator<[string, Float32Array]> {
    const d = this.dimension;
    for (let slot = 0; slot < this.ids.length; slot++) {
      yield [this.ids[slot]!, this.data.subarray(slot * d, slot * d + d)];
    }
  }

  /** prefix | u32 dimension | u32 count | u32 idsBytes | ids | pad to 4 | count×dimension float32 */
  serialize(): Uint8Array {
    const n = this.ids.length;
    const idsBytes = encodedIdsLength(this.ids);
    const vecAt = align4(PREFIX_BYTES + 12 + idsBytes);
    const out = new Uint8Array(vecAt + 4 * n * this.dimension);
    const view = new DataView(out.buffer);
    writePrefix(view, 'exact');
    view.setUint32(PREFIX_BYTES, this.dimension, true);
    view.setUint32(PREFIX_BYTES + 4, n, true);
    view.setUint32(PREFIX_BYTES + 8, idsBytes, true);
    writeIds(out, PREFIX_BYTES + 12, this.ids);
    out.set(
      new Uint8Array(this.data.buffer, this.data.byteOffset, 4 * n * this.dimension),
      vecAt,
    );
    return out;
  }

  static deserialize(bytes: Uint8Array): ExactIndex {
    const r = new Reader(bytes);
    const dimension = r.u32();
    const count = r.u32();
    const idsBytes = r.u32();
    const idsStart = r.offset;
    const ids = r.ids(count);
    if (r.offset - idsStart !== idsBytes) throw new CorruptIndexError('id section length mismatch');
    const index = new ExactIndex({ dimension, initialCapacity: count });
    r.floatsInto(index.data, count * dimension);
    for (let slot = 0; slot < count; slot++) {
      const id = ids[slot]!;
      if (index.slots.has(id)) throw new CorruptIndexError(`duplicate id ${JSON.stringify(id)}`);
      index.slots.set(id, slot);
      index.ids.push(id);
    }
    return index;
  }

  private resize(capacity: number): void {
    const next = new Float32Array(capacity * this.dimension);
    next.set(this.data.subarray(0, this.ids.length * this.dimension));
    this.data = next;
    this.capacity = capacity;
  }
}

/**
 * The hot loop, kept monomorphic (always Float32Array/Float64Array/Int32Array) so V8 optimises it
 * once. Four independent accumulators break the add dependency chain (~15% faster than one at
 * d=1024). Keeps the best `top.length` as a descending list: with small k an insertion shift beats a
 * heap, and most rows are rejected by the single comparison against the current worst.
 * Returns how many slots were filled (fewer than requested only when minScore cut them).
 */
function scanTopK(
  data: Float32Array,
  q: Float32Array,
  n: number,
  d: number,
  minScore: number,
  topScores: Float64Array,
  topSlots: Int32Array,
): number {
  const k = topScores.length;
  const d4 = d & ~3;
  let filled = 0;
  // Admission bar: minScore until the list is full, then the current k-th best.
  let bar = minScore;
  for (let row = 0, o = 0; row < n; row++, o += d) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j < d4; j += 4) {
      s0 += data[o + j]! * q[j]!;
      s1 += data[o + j + 1]! * q[j + 1]!;
      s2 += data[o + j + 2]! * q[j + 2]!;
      s3 += data[o + j + 3]! * q[j + 3]!;
    }
    for (; j < d; j++) s0 += data[o + j]! * q[j]!;
    const s = s0 + s1 + s2 + s3;
    if (s < bar || (filled === k && s === bar)) continue;
    let i = filled < k ? filled++ : k - 1;
    while (i > 0 && topScores[i - 1]! < s) {
      topScores[i] = topScores[i - 1]!;
      topSlots[i] = topSlots[i - 1]!;
      i--;
    }
    topScores[i] = s;
    topSlots[i] = row;
    if (filled === k) bar = Math.max(minScore, topScores[k - 1]!);
  }
  return filled;
}
