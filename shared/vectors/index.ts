/**
 * Entry point for similarity-search indexes: pick/load a backend behind `VectorIndex`, and keep an
 * in-memory index in step with a durable changelog through a storage-agnostic `IndexStore`
 * (S3/DynamoDB implementations live elsewhere; `MemoryIndexStore` is for tests and local runs).
 */
import { readKind } from './codec.js';
import { ExactIndex } from './exact.js';
import { COMPACT_DELETED_FRACTION, HnswIndex, type HnswParams } from './hnsw.js';
import {
  DimensionMismatchError,
  VectorIndexError,
  checkDimension,
  type IndexKind,
  type LocalVectorIndex,
  type VectorIndex,
} from './types.js';

export * from './types.js';
export { ExactIndex, type ExactIndexOptions } from './exact.js';
export {
  HnswIndex,
  DEFAULT_HNSW_PARAMS,
  COMPACT_DELETED_FRACTION,
  type HnswIndexOptions,
  type HnswParams,
} from './hnsw.js';

/**
 * Largest size at which `kind: 'auto'` still chooses exact search. Measured with bench/search.ts on
 * a 2-core EPYC (d=1024, k=10): a brute-force query costs ~0.95 µs/row of CPU at p50 and 1.3–1.6 µs
 * at p99, i.e. CPU p99 ≈ 25 ms at 20k, 40 ms at 30k, 65 ms at 40k rows. 25k keeps p99 near 30 ms, with
 * headroom under the 50 ms target for a slower Lambda vCPU, GC pauses and the S3/API overhead; HNSW
 * at 100k is ~2–3 ms. Cost is proportional to size × dimension, hence `autoExactMaxSize`.
 */
export const AUTO_EXACT_MAX_SIZE = 25_000;

/** `AUTO_EXACT_MAX_SIZE` rescaled for other dimensions (cost is proportional to size × dimension). */
export function autoExactMaxSize(dimension: number): number {
  return Math.floor((AUTO_EXACT_MAX_SIZE * 1024) / dimension);
}

export interface CreateIndexOptions {
  dimension: number;
  kind: IndexKind | 'auto';
  /** For 'auto': how many entries the index will hold (e.g. the count in durable storage). */
  expectedSize?: number;
  /** For 'auto': largest size served by exact search (default `autoExactMaxSize(dimension)`). */
  exactMaxSize?: number;
  /** Overrides for 'hnsw' (or 'auto' choosing hnsw). */
  hnsw?: Partial<HnswParams> & { seed?: number };
}

export function resolveKind(
  opts: Pick<CreateIndexOptions, 'kind' | 'dimension' | 'expectedSize' | 'exactMaxSize'>,
): IndexKind {
  if (opts.kind !== 'auto') return opts.kind;
  return (opts.expectedSize ?? 0) <= (opts.exactMaxSize ?? autoExactMaxSize(opts.dimension)) ? 'exact' : 'hnsw';
}

export function createIndex(opts: CreateIndexOptions): LocalVectorIndex {
  checkDimension(opts.dimension);
  const kind = resolveKind(opts);
  const initialCapacity = opts.expectedSize;
  return kind === 'exact'
    ? new ExactIndex({ dimension: opts.dimension, initialCapacity })
    : HnswIndex.create({ ...opts.hnsw, dimension: opts.dimension, initialCapacity });
}

/** Inverse of `serialize()` for any kind: the bytes say which. */
export async function loadIndex(bytes: Uint8Array): Promise<LocalVectorIndex> {
  return readKind(bytes) === 'exact' ? ExactIndex.deserialize(bytes) : HnswIndex.deserialize(bytes);
}

/** Copies every entry into a fresh index of another kind (e.g. exact → hnsw once it grows). */
export function convertIndex(
  from: LocalVectorIndex,
  to: Omit<CreateIndexOptions, 'dimension' | 'expectedSize'>,
): LocalVectorIndex {
  const next = createIndex({ ...to, dimension: from.dimension, expectedSize: from.size });
  for (const [id, vector] of from.entries()) next.upsert(id, vector);
  return next;
}

// ---------------------------------------------------------------------------------------------
// Incremental refresh: snapshot + changelog
// ---------------------------------------------------------------------------------------------

export type VectorChange =
  | { op: 'upsert'; id: string; vector: Float32Array | number[] }
  | { op: 'remove'; id: string };

/** A change at its position in the log. Versions strictly increase; gaps are allowed. */
export type LoggedChange = VectorChange & { version: number };

export interface IndexSnapshot {
  /** Every change with version ≤ this is reflected in `bytes`. */
  version: number;
  bytes: Uint8Array;
}

/**
 * Durable home of the index: the latest snapshot plus a changelog of upserts/removes after it. A
 * reader loads the snapshot and replays `changesSince(snapshot.version)`; a warm reader only replays
 * `changesSince(itsVersion)`. Writers `append`; some periodic job snapshots and truncates.
 */
export interface IndexStore {
  /** Latest snapshot, or undefined before the first one is written. */
  getSnapshot(): Promise<IndexSnapshot | undefined>;
  /** Persist a snapshot; must not replace one with a higher version (concurrent checkpointers). */
  putSnapshot(snapshot: IndexSnapshot): Promise<void>;
  /** Appends changes in order; returns the version assigned to the last one. */
  append(changes: readonly VectorChange[]): Promise<number>;
  /** Changes with version > `since`, ascending, at most `limit` of them (a page). */
  changesSince(since: number, limit?: number): Promise<LoggedChange[]>;
  /** Forget changes with version ≤ `upTo` (already in a snapshot). */
  truncate(upTo: number): Promise<void>;
}

export interface RejectedChange {
  version: number;
  id: string;
  error: VectorIndexError;
}

export interface ApplyResult {
  /** Version the index is now at. */
  version: number;
  applied: number;
  /** Changes skipped because their vector can never be indexed (wrong dimension, zero, NaN). */
  rejected: RejectedChange[];
}

/**
 * Replays logged changes onto `index`, skipping any at or below `since` so a replay that overlaps
 * what is already applied is harmless. A change with an unusable vector is reported, not thrown:
 * the log is immutable, so throwing would wedge every future refresh on the same record.
 */
export function applyChanges(
  index: VectorIndex,
  changes: readonly LoggedChange[],
  since: number,
): ApplyResult {
  let version = since;
  let applied = 0;
  const rejected: RejectedChange[] = [];
  for (const change of changes) {
    if (change.version <= version) {
      if (change.version <= since) continue;
      throw new VectorIndexError(`changelog out of order at version ${change.version}`);
    }
    version = change.version;
    try {
      if (change.op === 'upsert') index.upsert(change.id, change.vector);
      else index.remove(change.id);
      applied++;
    } catch (err) {
      if (!(err instanceof VectorIndexError)) throw err;
      rejected.push({ version: change.version, id: change.id, error: err });
    }
  }
  return { version, applied, rejected };
}

export interface SyncedIndexOptions extends Omit<CreateIndexOptions, 'expectedSize'> {
  /** Changelog page size per `changesSince` call. */
  pageSize?: number;
}

/**
 * An index kept current against an `IndexStore`: `open` at cold start (snapshot + replay), `refresh`
 * per invocation (cheap when nothing changed), `checkpoint` from whatever job owns snapshots.
 */
export class SyncedIndex {
  private constructor(
    private readonly store: IndexStore,
    private readonly opts: SyncedIndexOptions,
    private current: LocalVectorIndex,
    private at: number,
  ) {}

  static async open(store: IndexStore, opts: SyncedIndexOptions): Promise<SyncedIndex> {
    const snapshot = await store.getSnapshot();
    let index: LocalVectorIndex;
    let version = 0;
    if (snapshot) {
      index = await loadIndex(snapshot.bytes);
      // A model change alters the embedding size: the old snapshot is unusable, not silently wrong.
      if (index.dimension !== opts.dimension) {
        throw new DimensionMismatchError(opts.dimension, index.dimension);
      }
      version = snapshot.version;
    } else {
      index = createIndex({ ...opts, expectedSize: 0 });
    }
    const synced = new SyncedIndex(store, opts, index, version);
    await synced.refresh();
    return synced;
  }

  get index(): VectorIndex {
    return this.current;
  }

  get version(): number {
    return this.at;
  }

  async refresh(): Promise<ApplyResult> {
    const pageSize = this.opts.pageSize ?? 1000;
    const total: ApplyResult = { version: this.at, applied: 0, rejected: [] };
    for (;;) {
      const page = await this.store.changesSince(this.at, pageSize);
      if (page.length === 0) break;
      const r = applyChanges(this.current, page, this.at);
      this.at = total.version = r.version;
      total.applied += r.applied;
      total.rejected.push(...r.rejected);
      if (page.length < pageSize) break;
    }
    return total;
  }

  /**
   * Writes a snapshot at the current version and truncates the log behind it. Meant for an offline
   * job, since it may rebuild first so readers load a good index: with kind 'auto', an exact index
   * that has outgrown the exact threshold becomes HNSW; an HNSW index carrying too many tombstones
   * (removes/replacements) is compacted.
   */
  async checkpoint(): Promise<IndexSnapshot> {
    const current = this.current;
    if (
      this.opts.kind === 'auto' &&
      current.kind === 'exact' &&
      resolveKind({ ...this.opts, expectedSize: current.size }) === 'hnsw'
    ) {
      this.current = convertIndex(current, { kind: 'hnsw', hnsw: this.opts.hnsw });
    } else if (current instanceof HnswIndex && current.deletedFraction > COMPACT_DELETED_FRACTION) {
      this.current = current.compact();
    }
    const snapshot = { version: this.at, bytes: await this.current.serialize() };
    await this.store.putSnapshot(snapshot);
    await this.store.truncate(snapshot.version);
    return snapshot;
  }
}

/** IndexStore in process memory, for tests and local runs. */
export class MemoryIndexStore implements IndexStore {
  private snapshot: IndexSnapshot | undefined;
  private log: LoggedChange[] = [];
  private lastVersion = 0;

  async getSnapshot(): Promise<IndexSnapshot | undefined> {
    return this.snapshot;
  }

  async putSnapshot(snapshot: IndexSnapshot): Promise<void> {
    if (this.snapshot && this.snapshot.version > snapshot.version) return;
    this.snapshot = { version: snapshot.version, bytes: snapshot.bytes.slice() };
  }

  async append(changes: readonly VectorChange[]): Promise<number> {
    for (const change of changes) {
      const version = ++this.lastVersion;
      // Copy vectors: a durable log must not change if the caller reuses its arrays.
      this.log.push(
        change.op === 'upsert'
          ? { op: 'upsert', id: change.id, vector: Float32Array.from(change.vector), version }
          : { op: 'remove', id: change.id, version },
      );
    }
    return this.lastVersion;
  }

  async changesSince(since: number, limit = Infinity): Promise<LoggedChange[]> {
    const start = this.log.findIndex((c) => c.version > since);
    return start < 0 ? [] : this.log.slice(start, start + limit);
  }

  async truncate(upTo: number): Promise<void> {
    this.log = this.log.filter((c) => c.version > upTo);
  }
}
