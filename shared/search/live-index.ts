/**
 * The search function's in-memory index, kept current against the durable store: opened once per
 * container (latest S3 snapshot + changelog replay), refreshed before every query (one small Query when
 * nothing changed), reopened when a checkpoint truncated the log behind it.
 */
import { SyncedIndex, type ApplyResult, type SyncedIndexOptions, type VectorIndex } from '../vectors/index.js';
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
}

export class LiveIndex {
  private synced: SyncedIndex | undefined;
  private opening: Promise<SyncedIndex> | undefined;
  private st: LiveIndexState | undefined;

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
    return this.synced.index;
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
