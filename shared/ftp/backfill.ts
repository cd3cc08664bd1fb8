import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import pRetry from 'p-retry';
import { PermanentError } from '../errors.js';
import { isTransient } from './client.js';
import { publicBase } from './config.js';
import { mapLimit } from './enqueue.js';
import { ftpUrlFor, hourKeyOf, parseRel, PathError, s3KeyFor, type ParsedPath } from './layout.js';
import { layoutFiles, listDevices, listHours, type Lister } from './listing.js';
import type { SwitchInput } from './images.js';
import { BusyError, copyToS3, migrateFile, type MigrateDeps } from './migrate.js';

/**
 * Bulk backfill of one server (`panoptes migrate`): walks the tree (from `since`), skips what the
 * index already has in S3, and migrates the rest with `concurrency` files in flight (the server's
 * pool still bounds FTP connections).
 *
 * Same guarantees as the queue consumer (claim → verified copy → conditional switch), but the
 * index writes of a chunk of files go in one transaction each (claims, then switches): with small
 * files the index round trips, not the bytes, would otherwise set the pace. Anything that does not
 * go through the fast path (claimed elsewhere, failed, FTP down) falls back to `migrateFile` with
 * retries and backoff; what still fails is reported and stays `ftp` in the index for a re-run.
 */
export interface BackfillOptions {
  server: string;
  since?: Date;
  dryRun?: boolean;
  concurrency?: number;
  retries?: number;
  /** First retry delay (doubles up to maxRetryMs). */
  minRetryMs?: number;
  maxRetryMs?: number;
  onProgress?: (p: BackfillProgress) => void;
}

export interface BackfillProgress {
  listing: boolean;
  found: number;
  foundBytes: number;
  done: number;
  doneBytes: number;
  skipped: number;
  failed: number;
}

export interface BackfillReport extends BackfillProgress {
  migrated: number;
  already: number;
  elapsedMs: number;
  failures: Array<{ path: string; error: string }>;
}

interface Task {
  p: ParsedPath;
  size: number;
}

/** A small async queue: `take` waits for up to `max` items (or the end); `close` ends it. */
class Channel<T> {
  private items: T[] = [];
  private waiters: Array<() => void> = [];
  private closed = false;
  get length(): number {
    return this.items.length;
  }
  push(...xs: T[]): void {
    this.items.push(...xs);
    this.wake();
  }
  close(): void {
    this.closed = true;
    this.wake();
  }
  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }
  /** Waits until there is something (or the channel closed); lingers up to `lingerMs` to fill `max`. */
  async take(max: number, lingerMs = 0): Promise<T[]> {
    while (!this.items.length && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
    if (lingerMs > 0 && this.items.length < max && !this.closed) {
      const until = Date.now() + lingerMs;
      while (this.items.length < max && !this.closed && Date.now() < until) {
        await Promise.race([new Promise<void>((r) => this.waiters.push(r)), new Promise((r) => setTimeout(r, until - Date.now()))]);
      }
    }
    const out = this.items.splice(0, max);
    if (out.length) this.wake(); // producers waiting in below()
    return out;
  }
  /** Waits until fewer than `n` items are queued (back-pressure for producers). */
  async below(n: number): Promise<void> {
    while (this.items.length >= n) await new Promise<void>((r) => this.waiters.push(r));
  }
}

/** Index writes per transaction (DynamoDB's limit is 100). */
const TX = 100;

export async function backfill(d: MigrateDeps, o: BackfillOptions): Promise<BackfillReport> {
  const started = Date.now();
  const server = d.pools.server(o.server);
  const now = d.now ?? Date.now;
  const owner = d.owner ?? `backfill:${randomUUID().slice(0, 8)}`;
  const dd: MigrateDeps = { ...d, owner };
  const ls: Lister = (path) => d.pools.use(o.server, (c) => c.list(path));
  const retry = <T>(fn: () => Promise<T>) => pRetry(fn, {
    retries: o.retries ?? 6,
    minTimeout: o.minRetryMs ?? 500,
    maxTimeout: o.maxRetryMs ?? 15_000,
    factor: 2,
    shouldRetry: ({ error }) => !(error instanceof PermanentError) && (error instanceof BusyError || isTransient(error)),
  });
  const r: BackfillReport = {
    listing: true, found: 0, foundBytes: 0, done: 0, doneBytes: 0, skipped: 0, failed: 0, migrated: 0, already: 0, elapsedMs: 0, failures: [],
  };
  const progress = () => o.onProgress?.({ listing: r.listing, found: r.found, foundBytes: r.foundBytes, done: r.done, doneBytes: r.doneBytes, skipped: r.skipped, failed: r.failed });
  const sinceMs = o.since?.getTime();
  const fromKey = sinceMs !== undefined ? hourKeyOf(sinceMs, server.utcOffset) : undefined;
  const concurrency = Math.max(1, o.concurrency ?? 8);
  const key = (t: Task) => ({ fileName: t.p.fileName, deviceId: t.p.deviceId });

  const done = (t: Task, outcome: 'migrated' | 'already' | Error, bytes = 0) => {
    if (outcome === 'migrated') {
      r.migrated++;
      r.doneBytes += bytes;
    } else if (outcome === 'already') r.already++;
    else {
      r.failed++;
      r.failures.push({ path: t.p.rel, error: outcome.message });
    }
    r.done++;
    progress();
  };

  // Pipeline: listed → (claim, in transactions) → claimed → (copy, `concurrency` at once) →
  // copied → (switch, in transactions). Anything off the fast path goes to `careful`.
  const listed = new Channel<Task>();
  const claimed = new Channel<Task>();
  const copied = new Channel<{ t: Task; s: SwitchInput }>();
  const careful = new Channel<Task>();

  async function lister(): Promise<void> {
    try {
      const devices = await retry(() => listDevices(ls, server.root));
      // Devices in parallel: listings are round trips; the pool bounds the connections.
      await mapLimit(devices, Math.min(4, server.maxConnections), async (deviceId) => {
        const hours = await retry(() => listHours(ls, server.root, deviceId, fromKey));
        for (const hour of hours) {
          const dir = `ftpdata/${deviceId}/${hour}`;
          const files = layoutFiles(await retry(() => ls(posix.join(server.root, dir))), Date.now(), server.utcOffset);
          const tasks: Task[] = [];
          for (const f of files) {
            try {
              const p = parseRel(`${dir}/${f.name}`, server.utcOffset);
              if (sinceMs !== undefined && Date.parse(p.captureTime) < sinceMs) continue;
              tasks.push({ p, size: f.size });
            } catch (err) {
              if (!(err instanceof PathError)) throw err;
            }
          }
          const known = await d.index.locations(tasks.map(key));
          const todo = tasks.filter((t) => known.get(`${t.p.deviceId}/${t.p.fileName}`) !== 's3');
          r.skipped += tasks.length - todo.length;
          r.found += todo.length;
          r.foundBytes += todo.reduce((n, t) => n + t.size, 0);
          progress();
          if (!o.dryRun) {
            listed.push(...todo);
            await listed.below(4 * TX + concurrency);
          }
        }
      });
    } finally {
      r.listing = false;
      listed.close();
      progress();
    }
  }

  async function claimer(): Promise<void> {
    for (;;) {
      await claimed.below(2 * concurrency);
      const batch = await listed.take(TX, 50);
      if (!batch.length) return;
      const ok = await d.index.claimMany(batch.map((t) => ({
        p: t.p, server: o.server, ftpUrl: ftpUrlFor(publicBase(server), server.root, t.p.rel), owner, now: now(), leaseMs: d.leaseMs ?? 300_000,
      })));
      batch.forEach((t, i) => (ok[i] ? claimed.push(t) : careful.push(t)));
    }
  }

  async function copier(): Promise<void> {
    for (;;) {
      const [t] = await claimed.take(1);
      if (!t) return;
      try {
        const c = await copyToS3(dd, server, t.p, s3KeyFor(t.p, 1), t.size);
        copied.push({ t, s: { ...c, s3Key: s3KeyFor(t.p, 1), version: 1, now: now() } });
      } catch (err) {
        await d.index.release(key(t), owner, (err as Error).message);
        careful.push(t);
      }
    }
  }

  async function switcher(): Promise<void> {
    for (;;) {
      const batch = await copied.take(TX, 100);
      if (!batch.length) return;
      const ok = await d.index.switchMany(batch.map(({ t, s }) => ({ key: key(t), owner, s })));
      batch.forEach(({ t, s }, i) => (ok[i] ? done(t, 'migrated', s.size) : careful.push(t)));
    }
  }

  /** The careful path, one file at a time: claim, copy, switch, with retries and backoff. */
  async function carefulWorker(): Promise<void> {
    for (;;) {
      const [t] = await careful.take(1);
      if (!t) return;
      try {
        const res = await retry(async () => {
          const out = await migrateFile(dd, { server: o.server, path: t.p.rel });
          if (out.status === 'busy') throw new BusyError(out.fileName);
          return out;
        });
        done(t, res.status === 'migrated' ? 'migrated' : 'already', res.status === 'migrated' ? res.size : 0);
      } catch (err) {
        done(t, err as Error);
      }
    }
  }

  const stage = async (n: number, fn: () => Promise<void>, then: Channel<unknown>) => {
    await Promise.all(Array.from({ length: n }, fn));
    then.close();
  };
  const carefulDone = Promise.all(Array.from({ length: Math.min(4, concurrency) }, carefulWorker));
  await Promise.all([
    lister(),
    stage(2, claimer, claimed as Channel<unknown>),
    stage(concurrency, copier, copied as Channel<unknown>),
    stage(2, switcher, careful as Channel<unknown>),
  ]);
  await carefulDone;
  r.elapsedMs = Date.now() - started;
  return r;
}
