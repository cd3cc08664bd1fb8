/**
 * The search function's in-memory index, kept current against the durable store: opened once per
 * container (latest S3 snapshot + changelog replay), refreshed before every query (one small Query when
 * nothing changed), reopened when a checkpoint truncated the log behind it.
 */
import { SyncedIndex, resolveKind, type ApplyResult, type SyncedIndexOptions, type VectorIndex } from '../vectors/index.js';
import { StaleIndexError, type DynamoIndexStore } from './index-store.js';

export interface LiveIndexState {
  kind: string;
  size: number;
  version: number;
  /** Version of the snapshot this container started from (0: none). */
  snapshotVersion: number;
  /** Log entries replayed on top of that snapshot so far. */
  replayed: number;
  openedAt: number;
  openMs: number;
  lastRefreshMs: number;
}

export interface LiveIndexOptions extends SyncedIndexOptions {
  /** Called when a replay was this long: a new snapshot would make cold starts cheaper. */
  checkpointAfter?: number;
  onLongReplay?: (replayed: number, version: number) => void;
  onRejected?: (r: ApplyResult['rejected']) => void;
  /** How often a warm container looks for a better snapshot than the one it started from. */
  snapshotCheckMs?: number;
  onError?: (err: Error) => void;
}

export class LiveIndex {
  private synced: SyncedIndex | undefined;
  private opening: Promise<SyncedIndex> | undefined;
  private st: LiveIndexState | undefined;
  private lastSnapshotCheck = Date.now();
  private swapping: Promise<void> | undefined;

  constructor(private readonly store: DynamoIndexStore, private readonly opts: LiveIndexOptions) {}

  /** The index as of now (opens on first use). */
  async current(): Promise<VectorIndex> {
    if (!this.synced) {
      this.synced = await this.open();
      return this.synced.index;
    }
    const t0 = performance.now();
    try {
      const r = await this.synced.refresh();
      this.note(r);
      this.st!.lastRefreshMs = performance.now() - t0;
    } catch (err) {
      if (!(err instanceof StaleIndexError)) throw err;
      this.synced = undefined;
      this.synced = await this.open();
    }
    this.maybeSwap();
    return this.synced.index;
  }

  /**
   * A caught-up container never has to reload, but it should once a checkpoint wrote a better index
   * than it holds: an exact index grown past the exact/HNSW threshold (searches get slow), or a long
   * replay on top of its snapshot (HNSW tombstones pile up). The new index loads in the background
   * (across invocations) and replaces the old one when ready.
   */
  private maybeSwap(): void {
    const now = Date.now();
    if (this.swapping || now - this.lastSnapshotCheck < (this.opts.snapshotCheckMs ?? 60_000)) return;
    this.lastSnapshotCheck = now;
    this.swapping = (async () => {
      const head = await this.store.head();
      if (!this.worthReloading(head.snapshotVersion ?? 0)) return;
      const t0 = performance.now();
      const next = await SyncedIndex.open(this.store, this.opts);
      this.synced = next;
      this.st = { kind: next.index.kind, size: next.index.size, version: next.version, snapshotVersion: head.snapshotVersion ?? 0, replayed: 0, openedAt: Date.now(), openMs: performance.now() - t0, lastRefreshMs: 0 };
    })()
      .catch((err: unknown) => this.opts.onError?.(err as Error))
      .finally(() => (this.swapping = undefined));
  }

  private worthReloading(snapshotVersion: number): boolean {
    if (!this.synced || !this.st || snapshotVersion <= this.st.snapshotVersion) return false;
    const idx = this.synced.index;
    if (this.opts.kind === 'auto' && idx.kind === 'exact' && resolveKind({ ...this.opts, expectedSize: idx.size }) === 'hnsw') return true;
    return this.st.replayed >= 2 * (this.opts.checkpointAfter ?? Infinity);
  }

  /** For tests: wait for a background reload, if one is running. */
  async settled(): Promise<void> {
    await this.swapping;
  }

  get loaded(): boolean {
    return this.synced !== undefined;
  }

  state(): LiveIndexState | undefined {
    if (!this.synced || !this.st) return undefined;
    return { ...this.st, kind: this.synced.index.kind, size: this.synced.index.size, version: this.synced.version };
  }

  private open(): Promise<SyncedIndex> {
    this.opening ??= (async () => {
      try {
        const t0 = performance.now();
        // A checkpoint may truncate the log between reading the snapshot and replaying: take the newer one.
        for (let attempt = 1; ; attempt++) {
          try {
            const snapshot = await this.store.head();
            const synced = await SyncedIndex.open(this.store, this.opts);
            const snapshotVersion = snapshot.snapshotVersion ?? 0;
            this.st = {
              kind: synced.index.kind,
              size: synced.index.size,
              version: synced.version,
              snapshotVersion,
              replayed: 0,
              openedAt: Date.now(),
              openMs: performance.now() - t0,
              lastRefreshMs: 0,
            };
            this.note({ version: synced.version, applied: Math.max(0, synced.version - snapshotVersion), rejected: [] });
            return synced;
          } catch (err) {
            if (!(err instanceof StaleIndexError) || attempt >= 3) throw err;
          }
        }
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  private note(r: ApplyResult): void {
    if (!this.st) return;
    this.st.replayed += r.applied;
    if (r.rejected.length) this.opts.onRejected?.(r.rejected);
    const limit = this.opts.checkpointAfter ?? Infinity;
    if (r.applied > 0 && this.st.replayed >= limit) {
      this.opts.onLongReplay?.(this.st.replayed, r.version);
    }
  }
}
