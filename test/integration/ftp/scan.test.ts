import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { enqueue, type MigrateMessage } from '../../../shared/ftp/enqueue.js';
import { hourKeyOf } from '../../../shared/ftp/layout.js';
import { scanServer } from '../../../shared/ftp/scan.js';
import { startFtpServer, type TestFtpServer } from '../../support/peers/ftp.js';
import { depsFor, index, state, uniqueDevice, writeFile } from './helpers.js';

let ftp: TestFtpServer;
beforeAll(async () => {
  ftp = await startFtpServer({ users: { scan: 'pw' } });
});
afterAll(async () => {
  await ftp.destroy();
});

const p2 = (n: number) => String(n).padStart(2, '0');
/** A camera file of `deviceId` captured at `at`, written with modification time `mtime`. */
function capture(deviceId: string, at: Date, n: number, mtime: Date, seq = 1) {
  const [y, M, d, H, m, s] = [at.getUTCFullYear(), p2(at.getUTCMonth() + 1), p2(at.getUTCDate()), p2(at.getUTCHours()), p2(at.getUTCMinutes()), p2(at.getUTCSeconds())];
  return writeFile(ftp.users.scan!.dir, `ftpdata/${deviceId}/${y}/${M}/${d}/${H}/${y}_${M}_${d}_${H}_${m}_${s}_${seq}_${n}.jpg`, randomBytes(300), mtime);
}

describe('scheduled scanner with per-directory watermarks', () => {
  it('queues each settled file once, registers it as on FTP, and picks up later arrivals', async () => {
    const d = depsFor(ftp, 'scan', { name: 'its' });
    const sent: MigrateMessage[] = [];
    const deps = {
      pools: d.pools, state: state(),
      enqueue: (files: Parameters<typeof enqueue>[1]) => enqueue({ index: d.index, send: async (m) => void sent.push(...m) }, files),
      options: { settleMs: 60_000, windowMs: 10 * 60_000, closeAfterMs: 2 * 3_600_000, lookbackMs: 3 * 3_600_000 },
    };
    const dev = uniqueDevice('SCN');
    const now = Date.now();
    const min = 60_000;
    const a = capture(dev, new Date(now - 70 * min), 0, new Date(now - 70 * min));
    const b = capture(dev, new Date(now - 10 * min), 0, new Date(now - 10 * min));
    // Still being written (mtime now): not settled, left for later.
    const c = capture(dev, new Date(now - 5 * min), 1, new Date(now));
    // Too old for the lookback of a device never seen: left to `panoptes migrate --since`.
    capture(dev, new Date(now - 6 * 3_600_000), 0, new Date(now - 6 * 3_600_000));

    const r1 = await scanServer(deps, 'its');
    expect(r1.errors).toEqual([]);
    const mine = () => sent.filter((m) => m.path.includes(`/${dev}/`)).map((m) => m.path).sort();
    expect(mine()).toEqual([a.rel, b.rel].sort());
    expect((await index().get(a.fileName, dev))?.location).toBe('ftp');

    // Nothing new: nothing queued again.
    sent.length = 0;
    await scanServer(deps, 'its');
    expect(mine()).toEqual([]);

    // Later: c has settled, a new file arrived (e), and one was renamed into place with an older mtime (f).
    const later = now + 3 * min;
    const e = capture(dev, new Date(now - 2 * min), 0, new Date(now - 2 * min), 2);
    const f = capture(dev, new Date(now - 9 * min), 1, new Date(now - 6 * min), 3);
    await scanServer({ ...deps, now: () => later }, 'its');
    expect(mine()).toEqual([c.rel, e.rel, f.rel].sort());
    sent.length = 0;
    await scanServer({ ...deps, now: () => later + min }, 'its');
    expect(mine()).toEqual([]);

    // The device cursor starts at its oldest open hour directory.
    const cursor = await state().get<{ openFrom: string }>(`scan#its#dev#${dev}`);
    expect(cursor!.openFrom <= hourKeyOf(now - 70 * min)).toBe(true);
    d.pools.close();
  });

  it('old hour directories close and are not listed any more', async () => {
    const d = depsFor(ftp, 'scan', { name: 'its' });
    const deps = { pools: d.pools, state: state(), enqueue: async () => undefined, options: { settleMs: 60_000, windowMs: 600_000, closeAfterMs: 3_600_000, lookbackMs: 5 * 3_600_000 } };
    const dev = uniqueDevice('CLS');
    const now = Date.now();
    capture(dev, new Date(now - 4 * 3_600_000), 0, new Date(now - 4 * 3_600_000));
    capture(dev, new Date(now - 10 * 60_000), 0, new Date(now - 10 * 60_000));
    const r1 = await scanServer(deps, 'its');
    const r2 = await scanServer(deps, 'its');
    // The 4-hour-old directory is closed after the first run: the second lists one directory less.
    expect(r1.dirsListed).toBeGreaterThan(0);
    const cursor = await state().get<{ openFrom: string }>(`scan#its#dev#${dev}`);
    expect(cursor!.openFrom).toBe(hourKeyOf(now - 10 * 60_000));
    expect(r2.dirsListed).toBeLessThan(r1.dirsListed);
    d.pools.close();
  });

  it('an unreachable server: errors reported, watermarks untouched', async () => {
    const d = depsFor(ftp, 'scan', { name: 'its', extra: { timeoutMs: 2000 } });
    await ftp.stop();
    try {
      await expect(scanServer({ pools: d.pools, state: state(), enqueue: async () => undefined }, 'its')).rejects.toThrow();
    } finally {
      await ftp.start();
      d.pools.close();
    }
  });
});
