import pMap from 'p-map';
import { posix } from 'node:path';
import type { FtpPools } from './pool.js';
import type { FtpState } from './state.js';
import type { Validated } from './enqueue.js';
import { hourEnd, hourKeyOf, parseRel, PathError } from './layout.js';
import { layoutFiles, listHours, listDevices, selectNew, type Lister, type Watermark } from './listing.js';

/**
 * The scheduled scanner, for servers that cannot notify. Per device it keeps a cursor (the oldest
 * hour directory still open) and per hour directory a watermark (see listing.ts `selectNew`), so
 * each run lists only open directories and queues only files it has not queued before. An hour
 * directory closes `closeAfterMs` after its hour ended; files that land in a closed directory are
 * left to `panoptes migrate --since`.
 */
export interface ScanOptions {
  /** A file is taken once its mtime is older than this (complete; covers clock skew). */
  settleMs: number;
  /** Files renamed into place with an mtime up to this much older than the watermark are still caught. */
  windowMs: number;
  /** An hour directory is listed until this long after its hour ended. */
  closeAfterMs: number;
  /** Where a device never seen before starts (how far back). */
  lookbackMs: number;
}

export const DEFAULT_SCAN: ScanOptions = { settleMs: 120_000, windowMs: 600_000, closeAfterMs: 2 * 3_600_000, lookbackMs: 2 * 3_600_000 };

export interface ScanDeps {
  pools: FtpPools;
  state: FtpState;
  enqueue: (files: Validated[]) => Promise<unknown>;
  now?: () => number;
  options?: Partial<ScanOptions>;
}

export interface ScanReport {
  server: string;
  devices: number;
  dirsListed: number;
  queued: number;
  pending: number;
  invalid: number;
  errors: string[];
}

interface DirState extends Watermark {
  closed?: boolean;
}

export async function scanServer(d: ScanDeps, serverName: string): Promise<ScanReport> {
  const o = { ...DEFAULT_SCAN, ...(d.options ?? {}) };
  const server = d.pools.server(serverName);
  const now = (d.now ?? Date.now)();
  const ls: Lister = (path) => d.pools.use(serverName, (c) => c.list(path));
  const report: ScanReport = { server: serverName, devices: 0, dirsListed: 0, queued: 0, pending: 0, invalid: 0, errors: [] };
  const devices = await listDevices(ls, server.root);
  report.devices = devices.length;
  const to = hourKeyOf(now + 3_600_000, server.utcOffset); // an hour of slack for camera clocks

  await pMap(devices, async (deviceId) => {
    try {
      const cursorId = `scan#${serverName}#dev#${deviceId}`;
      const cursor = await d.state.get<{ openFrom: string }>(cursorId);
      const from = cursor?.openFrom ?? hourKeyOf(now - o.lookbackMs, server.utcOffset);
      const hours = await listHours(ls, server.root, deviceId, from, to);
      const dirId = (h: string) => `scan#${serverName}#dir#${deviceId}/${h}`;
      const states = await d.state.getMany<DirState>(hours.map(dirId));
      let openFrom: string | undefined;
      for (const hour of hours) {
        const prev = states.get(dirId(hour));
        if (prev?.closed) continue;
        const dir = `ftpdata/${deviceId}/${hour}`;
        const files = layoutFiles(await ls(posix.join(server.root, dir)), now, server.utcOffset);
        report.dirsListed++;
        const sel = selectNew(files, prev, now, o.settleMs, o.windowMs);
        const valid: Validated[] = [];
        for (const f of sel.fresh) {
          try {
            valid.push({ server, p: parseRel(`${dir}/${f.name}`, server.utcOffset) });
          } catch (err) {
            if (!(err instanceof PathError)) throw err;
            report.invalid++;
          }
        }
        // Queue first, then move the watermark: a crash in between re-queues (harmless), never skips.
        if (valid.length) await d.enqueue(valid);
        const closed = sel.pending === 0 && hourEnd(hour, server.utcOffset) + o.closeAfterMs < sel.next.wm;
        await d.state.put(dirId(hour), { ...sel.next, ...(closed ? { closed: true } : {}), at: now });
        report.queued += valid.length;
        report.pending += sel.pending;
        if (!closed && openFrom === undefined) openFrom = hour;
      }
      const last = hours[hours.length - 1];
      const next = openFrom ?? (last ? hourKeyOf(hourEnd(last, server.utcOffset), server.utcOffset) : from);
      if (next !== cursor?.openFrom) await d.state.put(cursorId, { openFrom: next > from ? next : from });
    } catch (err) {
      report.errors.push(`${deviceId}: ${(err as Error).message}`);
    }
  }, { concurrency: server.maxConnections });
  return report;
}
