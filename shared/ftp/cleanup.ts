import pMap from 'p-map';
import { randomUUID } from 'node:crypto';
import { posix } from 'node:path';
import { FTPError } from 'basic-ftp';
import { isNotFound } from './client.js';
import type { ImageItem } from './images.js';
import { ftpAbsPath, offsetMinutes } from './layout.js';
import { migrateFile, type MigrateDeps } from './migrate.js';
import type { FtpState } from './state.js';

/**
 * Nightly cleanup: deletes the FTP copy of files whose index has pointed at S3 for longer than the
 * retention. The grace period closes the seed's race (a reader got the FTP URL just before the
 * switch and is still downloading). Before deleting, the FTP file's size and MDTM are compared
 * with what was migrated: a changed file is re-migrated instead. A server that is down keeps its
 * files for the next run; the checkpoint (the oldest syncedAt still to look at) never moves past
 * them, so nothing is forgotten and the index stays true.
 */
export interface CleanupDeps extends MigrateDeps {
  state: FtpState;
}

export interface CleanupOptions {
  retentionMs: number;
  dryRun?: boolean;
  /** Files examined at once (each server's pool still bounds its connections). */
  concurrency?: number;
  onItem?: (outcome: Outcome, item: ImageItem) => void;
}

export type Outcome = 'deleted' | 'alreadyGone' | 'remigrated' | 'waiting' | 'failed' | 'skipped';

export interface CleanupReport {
  dryRun: boolean;
  cutoff: string;
  from: string;
  examined: number;
  deleted: number;
  alreadyGone: number;
  remigrated: number;
  /** Left for the next run: server down or unknown. */
  waiting: number;
  failed: number;
  /** Changed under us (re-migrated or locked by a worker): looked at again next run. */
  skipped: number;
  bytesFreed: number;
  /** Empty layout directories (hour, day, month, year) removed after their files were deleted. */
  dirsRemoved: number;
  checkpoint: string;
  serversDown: Record<string, string>;
  errors: string[];
  locked?: boolean;
}

const CHECKPOINT = 'cleanup#checkpoint';
/** Directories emptied by a run but younger than the retention then: looked at again next run. */
const PENDING_DIRS = 'cleanup#dirs';
const MAX_PENDING_DIRS = 20_000;
const EPOCH = '0000-00-00T00:00:00Z';

export async function runCleanup(d: CleanupDeps, o: CleanupOptions): Promise<CleanupReport> {
  const now = (d.now ?? Date.now)();
  const cutoff = new Date(now - o.retentionMs).toISOString();
  const from = (await d.state.get<{ syncedAt: string }>(CHECKPOINT))?.syncedAt ?? EPOCH;
  const r: CleanupReport = {
    dryRun: Boolean(o.dryRun), cutoff, from, examined: 0, deleted: 0, alreadyGone: 0, remigrated: 0, waiting: 0, failed: 0, skipped: 0,
    bytesFreed: 0, dirsRemoved: 0, checkpoint: from, serversDown: {}, errors: [],
  };
  /** `server|ftpdata/dev/yyyy/MM/dd/HH` of files deleted (or found gone) in this run. */
  const emptied = new Set<string>();
  const owner = `cleanup:${randomUUID().slice(0, 8)}`;
  if (!o.dryRun && !(await d.state.lock('cleanup', owner, 15 * 60_000, now))) return { ...r, locked: true };
  let oldestLeft: string | undefined;
  const keep = (item: ImageItem) => {
    if (item.syncedAt && (!oldestLeft || item.syncedAt < oldestLeft)) oldestLeft = item.syncedAt;
  };
  try {
    for await (const page of d.index.cleanupCandidates(from, cutoff)) {
      await pMap(page, async (item) => {
        r.examined++;
        const outcome = await cleanOne(d, item, o, r, now);
        if (!o.dryRun && (outcome === 'deleted' || outcome === 'alreadyGone')) emptied.add(`${item.server}|${posix.dirname(item.ftpPath)}`);
        r[outcome]++;
        // Anything not settled keeps the checkpoint at or before it, so the next run sees it again.
        if (outcome === 'waiting' || outcome === 'failed' || outcome === 'skipped') keep(item);
        o.onItem?.(outcome, item);
      }, { concurrency: o.concurrency ?? 16 });
    }
    r.checkpoint = oldestLeft && oldestLeft < cutoff ? oldestLeft : cutoff;
    if (!o.dryRun) await d.state.put(CHECKPOINT, { syncedAt: r.checkpoint, at: new Date(now).toISOString() });
    if (!o.dryRun) {
      const pending = (await d.state.get<{ dirs: string[] }>(PENDING_DIRS))?.dirs ?? [];
      const left = await removeEmptyDirs(d, new Set([...emptied, ...pending]), now - o.retentionMs, r);
      if (left.length || pending.length) await d.state.put(PENDING_DIRS, { dirs: left.slice(0, MAX_PENDING_DIRS), at: new Date(now).toISOString() });
    }
  } finally {
    if (!o.dryRun) await d.state.unlock('cleanup', owner);
  }
  return r;
}

async function cleanOne(d: CleanupDeps, item: ImageItem, o: CleanupOptions, r: CleanupReport, now: number): Promise<Outcome> {
  const key = { fileName: item.fileName, deviceId: item.deviceId };
  let server;
  try {
    server = d.pools.server(item.server);
  } catch {
    r.serversDown[item.server] ??= 'not configured';
    return 'waiting';
  }
  if (r.serversDown[item.server]) return 'waiting';
  const abs = ftpAbsPath(server.root, item.ftpPath);
  let state: 'gone' | 'changed' | 'deleted' | 'same';
  try {
    state = await d.pools.use(server.name, async (c) => {
      let size: number;
      try {
        size = await c.size(abs);
      } catch (err) {
        if (isNotFound(err)) return 'gone';
        throw err;
      }
      let mtime: string | undefined;
      if (item.ftpModifiedAt) mtime = (await c.lastMod(abs)).toISOString();
      if (size !== item.size || (mtime && mtime !== item.ftpModifiedAt)) return 'changed';
      if (o.dryRun) return 'same';
      await c.remove(abs);
      return 'deleted';
    });
  } catch (err) {
    if (!(err instanceof FTPError)) {
      // Cannot reach the server: its files wait for the next run.
      r.serversDown[item.server] ??= (err as Error).message;
      return 'waiting';
    }
    r.errors.push(`${item.server}:${item.ftpPath}: ${err.message}`);
    return 'failed';
  }
  if (state === 'same') {
    r.bytesFreed += item.size ?? 0;
    return 'deleted';
  }
  if (state === 'changed') {
    if (o.dryRun) return 'remigrated';
    try {
      const res = await migrateFile(d, { server: item.server, path: item.ftpPath, fromVersion: item.version ?? 1 });
      return res.status === 'migrated' ? 'remigrated' : 'skipped';
    } catch (err) {
      r.errors.push(`${item.server}:${item.ftpPath}: re-migration failed: ${(err as Error).message}`);
      return 'failed';
    }
  }
  if (o.dryRun) return 'alreadyGone';
  const marked = await d.index.markFtpDeleted(key, item.version ?? 1, now);
  if (state === 'deleted') r.bytesFreed += item.size ?? 0;
  if (!marked) return 'skipped';
  return state === 'deleted' ? 'deleted' : 'alreadyGone';
}

/**
 * Epoch ms at which a layout directory's period ends (`ftpdata/{dev}/yyyy[/MM[/dd[/HH]]]`, in the
 * server's utcOffset), or undefined for anything else (device directories, `ftpdata` itself).
 */
export function dirEnd(rel: string, utcOffset = 'Z'): number | undefined {
  const m = /^ftpdata\/[^/]+\/(\d{4})(?:\/(\d{2})(?:\/(\d{2})(?:\/(\d{2}))?)?)?$/.exec(rel);
  if (!m) return undefined;
  const [y, M, d, h] = [Number(m[1]), m[2] ? Number(m[2]) : undefined, m[3] ? Number(m[3]) : undefined, m[4] ? Number(m[4]) : undefined];
  const end = M === undefined ? Date.UTC(y + 1, 0, 1)
    : d === undefined ? Date.UTC(y, M, 1)
      : h === undefined ? Date.UTC(y, M - 1, d + 1)
        : Date.UTC(y, M - 1, d, h + 1);
  return end - offsetMinutes(utcOffset) * 60_000;
}

/**
 * After the files are gone: removes the hour directories they were in, then their day, month
 * and year directories, each only if it is empty and its period ended before `cutoff` (now minus
 * the retention) — a camera may still write into a younger one. Device directories stay. RMD is
 * refused by servers for a non-empty directory, so a file arriving between the listing and the
 * RMD stays. Returns what is to be looked at again next run (too young, or its server down).
 */
async function removeEmptyDirs(d: CleanupDeps, dirs: Set<string>, cutoff: number, r: CleanupReport): Promise<string[]> {
  const left: string[] = [];
  const depth = (rel: string) => rel.split('/').length;
  let level = [...dirs];
  while (level.length) {
    // Deepest first, so a parent is looked at after its children.
    const deepest = Math.max(...level.map((k) => depth(k.slice(k.indexOf('|') + 1))));
    const now = level.filter((k) => depth(k.slice(k.indexOf('|') + 1)) === deepest);
    level = level.filter((k) => depth(k.slice(k.indexOf('|') + 1)) !== deepest);
    const parents = new Set<string>();
    await pMap(now, async (key) => {
      const [server, rel] = [key.slice(0, key.indexOf('|')), key.slice(key.indexOf('|') + 1)];
      let cfg;
      try {
        cfg = d.pools.server(server);
      } catch {
        return; // server no longer configured: nothing to do there
      }
      const end = dirEnd(rel, cfg.utcOffset);
      if (end === undefined) return;
      if (r.serversDown[server] || end > cutoff) {
        left.push(key);
        return;
      }
      try {
        const removed = await d.pools.use(server, async (c) => {
          const abs = ftpAbsPath(cfg.root, rel);
          let entries;
          try {
            entries = await c.list(abs);
          } catch (err) {
            if (isNotFound(err)) return 'gone';
            throw err;
          }
          if (entries.some((e) => e.name !== '.' && e.name !== '..')) return 'kept';
          try {
            await c.removeEmptyDir(abs);
            return 'removed';
          } catch (err) {
            // Not empty after all (a file just arrived) or gone meanwhile: leave it.
            if (err instanceof FTPError && err.code >= 500) return 'kept';
            throw err;
          }
        });
        if (removed === 'removed') r.dirsRemoved++;
        if (removed !== 'kept' && depth(rel) > 3) parents.add(`${server}|${posix.dirname(rel)}`);
      } catch (err) {
        if (!(err instanceof FTPError)) r.serversDown[server] ??= (err as Error).message;
        left.push(key);
      }
    }, { concurrency: 8 });
    level.push(...[...parents].filter((k) => !level.includes(k)));
  }
  return left;
}
