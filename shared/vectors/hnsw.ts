/**
 * Approximate cosine index: HNSW graph from hnswlib (native, SIMD distance) via hnswlib-node.
 *
 * - Vectors are normalised here and stored in the inner-product space, so distance = 1 − cosine and
 *   score = 1 − distance (the 'cosine' space would just normalise a second time).
 * - hnswlib keys points by numeric label; we map string id ↔ label, and every write takes a fresh
 *   label (a monotonic counter), so a label never points at two vectors over time.
 * - Removal is `markDelete`: the point is hidden from results but still routed through, which keeps
 *   the graph connected. Replacing an id = tombstone the old point + insert under a new label.
 *   hnswlib's alternatives — in-place `updatePoint` and reuse of deleted slots (replaceDeleted) —
 *   re-link the neighbours' neighbours and measured ~12× slower than a fresh insert at d=1024
 *   (~28 ms vs ~2 ms), which would make a changelog replay on a warm Lambda crawl. Tombstones instead
 *   cost memory until `compact()` rebuilds the graph; `SyncedIndex.checkpoint` (offline) does that
 *   once `deletedFraction` passes COMPACT_DELETED_FRACTION.
 * - Capacity doubles when full (hnswlib needs maxElements up front).
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { rm, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { PREFIX_BYTES, Reader, align4, encodedIdsLength, writeIds, writePrefix } from './codec.js';
import {
  CorruptIndexError,
  VectorIndexError,
  checkDimension,
  checkId,
  checkK,
  normalizeInto,
  type LocalVectorIndex,
  type SearchHit,
  type SearchOptions,
  type VectorInput,
} from './types.js';

// hnswlib-node is CommonJS; take the class off the default export for ESM.
const { HierarchicalNSW } = hnswlib;
type Hnsw = InstanceType<typeof HierarchicalNSW>;

export interface HnswParams {
  /** Graph degree (links per node per layer; 2·M on layer 0). Memory ≈ 8·M bytes/vector + vector. */
  m: number;
  /** Candidate list size while inserting: build time vs. graph quality. */
  efConstruction: number;
  /** Candidate list size while searching (raised to k when k is larger): latency vs. recall. */
  efSearch: number;
}

/**
 * Measured with bench/search.ts (100k × 1024 clustered, 2-core EPYC; recall@10 vs exact, efSearch
 * 64/128/256): M=16 efC=64 → 0.86/0.92/–; M=32 efC=64 → 0.94/0.98/0.99; M=16 efC=128 →
 * 0.94/0.99/0.997. Construction breadth mattered more than degree, so M=16 (≈ 128 B/vector of links
 * on layer 0, small next to the 4 KB vector) with efConstruction=128 (~1.7 ms/insert, ~3 min for
 * 100k on one core). efSearch=256 because uniform-noise data needs it (0.93 at 128, 0.99 at 256 on
 * 5k × 128) and it still costs only ~2–4 ms a query against the 50 ms budget.
 */
export const DEFAULT_HNSW_PARAMS: HnswParams = { m: 16, efConstruction: 128, efSearch: 256 };

export interface HnswIndexOptions extends Partial<HnswParams> {
  dimension: number;
  /** Points to preallocate (doubles when full). */
  initialCapacity?: number;
  /** hnswlib's level-assignment RNG seed, for reproducible builds. */
  seed?: number;
}

const MIN_CAPACITY = 1024;
/** Tombstone share (of graph slots) beyond which `compact()` is worth a rebuild. */
export const COMPACT_DELETED_FRACTION = 0.2;
const MAX_LABEL = 0xffff_ffff; // hnswlib-node passes labels through Uint32

export class HnswIndex implements LocalVectorIndex {
  readonly kind = 'hnsw' as const;
  readonly dimension: number;
  private readonly tuning: HnswParams;
  private readonly hnsw: Hnsw;
  private readonly labelOf = new Map<string, number>();
  private readonly idOf = new Map<number, string>();
  private nextLabel = 0;
  /** Graph slots holding tombstoned (marked-deleted) points. */
  private deleted = 0;
  private ef: number;
  private readonly scratch: Float32Array;
  /** hnswlib-node only accepts plain arrays; reuse one rather than allocating per call. */
  private readonly plain: number[];

  private constructor(dimension: number, params: HnswParams, hnsw: Hnsw) {
    this.dimension = dimension;
    this.tuning = { ...params };
    this.hnsw = hnsw;
    this.ef = params.efSearch;
    hnsw.setEf(this.ef);
    this.scratch = new Float32Array(dimension);
    this.plain = new Array<number>(dimension).fill(0);
  }

  static create(opts: HnswIndexOptions): HnswIndex {
    checkDimension(opts.dimension);
    const params = resolveParams(opts);
    const hnsw = new HierarchicalNSW('ip', opts.dimension);
    hnsw.initIndex({
      maxElements: Math.max(MIN_CAPACITY, opts.initialCapacity ?? 0),
      m: params.m,
      efConstruction: params.efConstruction,
      randomSeed: opts.seed ?? 100,
    });
    return new HnswIndex(opts.dimension, params, hnsw);
  }

  get params(): Readonly<HnswParams> {
    return { ...this.tuning };
  }

  /** Trade latency for recall at query time (the only parameter that can change after build). */
  setEfSearch(efSearch: number): void {
    this.tuning.efSearch = resolveParams({ ...this.tuning, efSearch }).efSearch;
  }

  get size(): number {
    return this.labelOf.size;
  }

  /** Share of graph slots that are tombstones: memory and (slightly) search time spent on nothing. */
  get deletedFraction(): number {
    const slots = this.labelOf.size + this.deleted;
    return slots === 0 ? 0 : this.deleted / slots;
  }

  /** A fresh graph holding only the live entries (same parameters): drops tombstones. */
  compact(): HnswIndex {
    const next = HnswIndex.create({ ...this.tuning, dimension: this.dimension, initialCapacity: this.size });
    for (const [id, vector] of this.entries()) next.upsert(id, vector);
    return next;
  }

  has(id: string): boolean {
    return this.labelOf.has(id);
  }

  upsert(id: string, vector: VectorInput): void {
    checkId(id);
    const point = this.toPlain(vector); // validates before anything changes
    const existing = this.labelOf.get(id);
    // Replaying a changelog re-upserts unchanged vectors (retries, re-appends): don't tombstone those.
    if (existing !== undefined && sameValues(this.hnsw.getPoint(existing), point)) return;
    if (this.nextLabel > MAX_LABEL) throw new VectorIndexError('label space exhausted: compact the index');
    const max = this.hnsw.getMaxElements();
    if (this.hnsw.getCurrentCount() >= max) this.hnsw.resizeIndex(max * 2);
    const label = this.nextLabel++;
    this.hnsw.addPoint(point, label);
    this.remove(id); // tombstone the previous version, if any, only once the new one is in
    this.labelOf.set(id, label);
    this.idOf.set(label, id);
  }

  remove(id: string): boolean {
    const label = this.labelOf.get(id);
    if (label === undefined) return false;
    this.hnsw.markDelete(label);
    this.labelOf.delete(id);
    this.idOf.delete(label);
    this.deleted++;
    return true;
  }

  search(query: VectorInput, k: number, opts: SearchOptions = {}): SearchHit[] {
    checkK(k);
    const point = this.toPlain(query);
    const want = Math.min(k, this.size);
    if (want === 0) return [];
    // ef < k would silently cap the result count; raise it for large k only.
    const ef = Math.max(this.tuning.efSearch, want);
    if (ef !== this.ef) this.hnsw.setEf((this.ef = ef));
    const { distances, neighbors } = this.hnsw.searchKnn(point, want);
    const minScore = opts.minScore ?? -Infinity;
    const hits: SearchHit[] = [];
    for (let i = 0; i < neighbors.length; i++) {
      const score = 1 - distances[i]!;
      if (score < minScore) break; // ascending distance = descending score
      const id = this.idOf.get(neighbors[i]!);
      if (id !== undefined) hits.push({ id, score });
    }
    return hits;
  }

  *entries(): IterableIterator<[string, Float32Array]> {
    const out = new Float32Array(this.dimension);
    for (const [id, label] of this.labelOf) {
      out.set(this.hnsw.getPoint(label));
      yield [id, out];
    }
  }

  /**
   * prefix | u32 dimension | u32 m | u32 efConstruction | u32 efSearch | f64 nextLabel | u32 count |
   * u32 idsBytes | ids | pad | count×u32 labels | f64 graphBytes | hnswlib index file.
   *
   * hnswlib only writes to a path, so go through a temp file (/tmp on Lambda) and read it straight
   * into its place in the output buffer. Synchronous on purpose: the native write reads the graph
   * while it runs, so no upsert may interleave — an async write would let one in.
   */
  serialize(): Uint8Array {
    const dir = mkdtempSync(join(tmpdir(), 'panoptes-hnsw-'));
    try {
      const file = join(dir, 'index.bin');
      this.hnsw.writeIndexSync(file);
      const ids = [...this.labelOf.keys()];
      const idsBytes = encodedIdsLength(ids);
      const labelsAt = align4(PREFIX_BYTES + 32 + idsBytes);
      const graphLenAt = labelsAt + 4 * ids.length;
      const fd = openSync(file, 'r');
      try {
        const graphBytes = fstatSync(fd).size;
        const out = new Uint8Array(graphLenAt + 8 + graphBytes);
        const view = new DataView(out.buffer);
        writePrefix(view, 'hnsw');
        let at = PREFIX_BYTES;
        for (const v of [this.dimension, this.tuning.m, this.tuning.efConstruction, this.tuning.efSearch]) {
          view.setUint32(at, v, true);
          at += 4;
        }
        view.setFloat64(at, this.nextLabel, true);
        view.setUint32(at + 8, ids.length, true);
        view.setUint32(at + 12, idsBytes, true);
        writeIds(out, at + 16, ids);
        let l = labelsAt;
        for (const label of this.labelOf.values()) {
          view.setUint32(l, label, true);
          l += 4;
        }
        view.setFloat64(graphLenAt, graphBytes, true);
        for (let off = 0; off < graphBytes; ) {
          const n = readSync(fd, out, graphLenAt + 8 + off, graphBytes - off, off);
          if (n === 0) throw new VectorIndexError('hnsw index file shrank while reading');
          off += n;
        }
        return out;
      } finally {
        closeSync(fd);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  static async deserialize(bytes: Uint8Array): Promise<HnswIndex> {
    const r = new Reader(bytes);
    const dimension = r.u32();
    const params: HnswParams = { m: r.u32(), efConstruction: r.u32(), efSearch: r.u32() };
    const nextLabel = r.f64();
    const count = r.u32();
    const idsBytes = r.u32();
    const idsStart = r.offset;
    const ids = r.ids(count);
    if (r.offset - idsStart !== idsBytes) throw new CorruptIndexError('id section length mismatch');
    r.align4();
    const labels = new Array<number>(count);
    for (let i = 0; i < count; i++) labels[i] = r.u32();
    const graph = r.bytesView(r.f64());
    checkDimension(dimension);

    const dir = await mkdtemp(join(tmpdir(), 'panoptes-hnsw-'));
    const hnsw = new HierarchicalNSW('ip', dimension);
    try {
      const file = join(dir, 'index.bin');
      await writeFile(file, graph);
      try {
        await hnsw.readIndex(file);
      } catch (err) {
        throw new CorruptIndexError(`hnsw graph unreadable: ${(err as Error).message}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const index = new HnswIndex(dimension, params, hnsw);
    index.nextLabel = nextLabel;
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      const label = labels[i]!;
      if (index.labelOf.has(id) || index.idOf.has(label) || label >= nextLabel) {
        throw new CorruptIndexError(`inconsistent id map at ${JSON.stringify(id)}`);
      }
      index.labelOf.set(id, label);
      index.idOf.set(label, id);
    }
    const slots = hnsw.getCurrentCount();
    if (slots < count) throw new CorruptIndexError('id map larger than the hnsw graph');
    index.deleted = slots - count; // every slot not mapped to a live id is a tombstone
    return index;
  }

  private toPlain(vector: VectorInput): number[] {
    const unit = normalizeInto(vector, this.dimension, this.scratch);
    const plain = this.plain;
    for (let i = 0; i < unit.length; i++) plain[i] = unit[i]!;
    return plain;
  }
}

function sameValues(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function resolveParams(opts: Partial<HnswParams>): HnswParams {
  const p: HnswParams = {
    m: opts.m ?? DEFAULT_HNSW_PARAMS.m,
    efConstruction: opts.efConstruction ?? DEFAULT_HNSW_PARAMS.efConstruction,
    efSearch: opts.efSearch ?? DEFAULT_HNSW_PARAMS.efSearch,
  };
  for (const [name, v] of Object.entries(p)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`invalid hnsw ${name} ${v}`);
  }
  return p;
}
