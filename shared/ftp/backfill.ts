import pMap from 'p-map';
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import pRetry from 'p-retry';
import { PermanentError } from '../platform/errors.js';
import { isTransient } from './client.js';
import { publicBase } from './config.js';
import { ftpUrlFor, hourKeyOf, parseRel, PathError, s3KeyFor, type ParsedPath } from './layout.js';
import { layoutFiles, listDevices, listHours, type Lister } from './listing.js';
import type { Seen, SwitchInput } from './images.js';
import type { FtpState } from './state.js';
import { BusyError, copyToS3, migrateFile, type MigrateDeps } from './migrate.js';
import { timed } from './profile.js';

/**
 * Bulk backfill of one server (`panoptes migrate`): walks the tree (from `since`), skips what the
 * index already has in S3, and migrates the rest with `concurrency` files in flight (the server's
 * pool still bounds FTP connections).
 *
 * Same guarantees as the queue consumer (only a verified copy is switched to, by a conditional
 * write), with one index write per file instead of claim + switch: files are looked up in batches
 * as they are listed (location, claims so far, lease), copied without a claim, and registered +
 * switched in one transaction per chunk whose conditions say "still as seen": not indexed, or
 * `ftp` from this path with the same claim count and no live lease. A queue consumer that claims
 * a file meanwhile changes its claim count, so our switch fails and the file takes the careful
 * path; files leased when looked up go there directly. The careful path (`migrateFile`: claim,
 * copy, switch, with retries and backoff) also takes anything failed or contended; what still
 * fails is reported and stays `ftp` in the index for a re-run. Two backfills of one server must
 * not run at once (they could write the same key unclaimed): with `state`, a lock per server
 * refuses the second.
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
  /** The index item as listed (undefined: not indexed yet). */
  seen?: Seen;
  /** The listing's mtime when it has second precision (MLSD): no MDTM needed. */
  mtime?: string;
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

export interface BackfillDeps extends MigrateDeps {
  /** Run lock per server (the CLI passes it); without it the caller ensures one backfill per server. */
  state?: FtpState;
}

export class BackfillLockedError extends Error {
  constructor(server: string) {
    super(`another migrate of ${server} is running (lock migrate#${server} held); try again when it has finished`);
    this.name = 'BackfillLockedError';
  }
}

const LOCK_MS = 10 * 60_000;

export async function backfill(d: BackfillDeps, o: BackfillOptions): Promise<BackfillReport> {
  const lockOwner = `backfill:${randomUUID().slice(0, 8)}`;
  const lockName = `migrate#${o.server}`;
  if (d.state && !o.dryRun) {
    if (!(await d.state.lock(lockName, lockOwner, LOCK_MS))) throw new BackfillLockedError(o.server);
    const renew = setInterval(() => void d.state!.lock(lockName, lockOwner, LOCK_MS).catch(() => undefined), LOCK_MS / 4);
    renew.unref();
    try {
      return await run(d, { ...o }, lockOwner);
    } finally {
      clearInterval(renew);
      await d.state.unlock(lockName, lockOwner);
    }
  }
  return run(d, o, lockOwner);
}

async function run(d: MigrateDeps, o: BackfillOptions, owner: string): Promise<BackfillReport> {
  const started = Date.now();
  const server = d.pools.server(o.server);
  const now = d.now ?? Date.now;
  owner = d.owner ?? owner;
  const dd: MigrateDeps = { ...d, owner };
  const ls: Lister = (path) => timed(d.times, 'ftp: LIST', () => d.pools.use(o.server, (c) => c.list(path)));
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

  // Pipeline: listed (and looked up) → (copy, `concurrency` at once) → copied → (register +
  // switch, in transactions). Anything off the fast path goes to `careful`.
  const listed = new Channel<Task>();
  const copied = new Channel<{ t: Task; s: SwitchInput }>();
  const careful = new Channel<Task>();

  async function lister(): Promise<void> {
    try {
      const devices = await retry(() => listDevices(ls, server.root));
      // Devices in parallel: listings are round trips; the pool bounds the connections.
      await pMap(devices, async (deviceId) => {
        const hours = await retry(() => listHours(ls, server.root, deviceId, fromKey));
        for (const hour of hours) {
          const dir = `ftpdata/${deviceId}/${hour}`;
          const files = layoutFiles(await retry(() => ls(posix.join(server.root, dir))), Date.now(), server.utcOffset);
          const tasks: Task[] = [];
          for (const f of files) {
            try {
              const p = parseRel(`${dir}/${f.name}`, server.utcOffset);
              if (sinceMs !== undefined && Date.parse(p.captureTime) < sinceMs) continue;
              tasks.push({ p, size: f.size, ...(f.precisionMs <= 1000 ? { mtime: new Date(f.mtime).toISOString() } : {}) });
            } catch (err) {
              if (!(err instanceof PathError)) throw err;
            }
          }
          const known = await timed(d.times, 'ddb: BatchGet lookup', () => d.index.lookup(tasks.map(key)));
          const todo: Task[] = [];
          for (const t of tasks) {
            const seen = known.get(`${t.p.deviceId}/${t.p.fileName}`);
            if (seen?.location === 's3') continue;
            if (seen) t.seen = seen;
            todo.push(t);
          }
          r.skipped += tasks.length - todo.length;
          r.found += todo.length;
          r.foundBytes += todo.reduce((n, t) => n + t.size, 0);
          progress();
          if (!o.dryRun) {
            const at = now();
            // Held by a worker right now: its claim decides; the careful path waits for it.
            for (const t of todo) (t.seen?.leaseUntil !== undefined && t.seen.leaseUntil >= at ? careful : listed).push(t);
            await listed.below(2 * TX + concurrency);
          }
        }
      }, { concurrency: Math.min(4, server.maxConnections) });
    } finally {
      r.listing = false;
      listed.close();
      progress();
    }
  }

  async function copier(): Promise<void> {
    for (;;) {
      const waited = performance.now();
      const [t] = await listed.take(1);
      d.times?.add('copier: wait for a listed file', performance.now() - waited);
      if (!t) return;
      try {
        const c = await copyToS3(dd, server, t.p, s3KeyFor(t.p, 1), t.size, t.mtime);
        copied.push({ t, s: { ...c, s3Key: s3KeyFor(t.p, 1), version: 1, now: now() } });
      } catch {
        // Nothing was claimed, nothing to release: the careful path retries with backoff.
        careful.push(t);
      }
    }
  }

  async function switcher(): Promise<void> {
    for (;;) {
      const batch = await copied.take(TX, 100);
      if (!batch.length) return;
      const ok = await timed(d.times, 'ddb: register + switch transaction', () => d.index.settleMany(batch.map(({ t, s }) => ({
        p: t.p, server: o.server, ftpUrl: ftpUrlFor(publicBase(server), server.root, t.p.rel), ...(t.seen ? { seen: t.seen } : {}), s,
      }))));
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
    stage(concurrency, copier, copied as Channel<unknown>),
    stage(2, switcher, careful as Channel<unknown>),
  ]);
  await carefulDone;
  r.elapsedMs = Date.now() - started;
  return r;
}
