import '../../support/env.js';
import pMap from 'p-map';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { backfill, BackfillLockedError } from '../../../shared/ftp/backfill.js';
import { migrateFile } from '../../../shared/ftp/migrate.js';
import { s3KeyFor, parseRel } from '../../../shared/ftp/layout.js';
import { connectFtp } from '../../../shared/ftp/client.js';
import { startFtpServer, type TestFtpServer } from '../../support/peers/ftp.js';
import { depsFor, index, keysUnder, objectBytes, state, uniqueDevice, writeFile, writeTree } from './helpers.js';

let ftp: TestFtpServer;

beforeAll(async () => {
  ftp = await startFtpServer({ users: { cam: 'pw-cam', down: 'pw-down' } });
});
afterAll(async () => {
  await ftp.destroy();
});

const hoursAgo = (n: number) => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - n * 3_600_000);

describe('migration from a real FTP server', () => {
  it('200 files across devices and hours: all in S3 byte-identical, index switched, FTP copies untouched', async () => {
    const devices = [uniqueDevice('A'), uniqueDevice('B'), uniqueDevice('C'), uniqueDevice('D')];
    // 4 devices × 5 hours × 3 captures + 20 extra small images = 200 files
    const files = writeTree(ftp.users.cam!.dir, { devices, hours: [1, 2, 3, 4, 5].map(hoursAgo), captures: 3 });
    for (let i = 0; i < 20; i++) {
      const h = hoursAgo(1);
      const p = (n: number) => String(n).padStart(2, '0');
      const base = `${h.getUTCFullYear()}_${p(h.getUTCMonth() + 1)}_${p(h.getUTCDate())}_${p(h.getUTCHours())}_59_${p(i)}_7`;
      files.push(writeFile(ftp.users.cam!.dir, `ftpdata/${devices[0]}/${h.getUTCFullYear()}/${p(h.getUTCMonth() + 1)}/${p(h.getUTCDate())}/${p(h.getUTCHours())}/${base}_2.jpg`, randomBytes(2000)));
    }
    expect(files).toHaveLength(200);
    const d = depsFor(ftp, 'cam', { extra: { maxConnections: 3 } });
    ftp.resetPeak();
    const results = await pMap(files, (f) => migrateFile(d, { server: 'it', path: f.rel }), { concurrency: 12 });
    expect(results.every((r) => r.status === 'migrated')).toBe(true);
    // The pool kept to the server's limit although 12 files were in flight.
    expect(ftp.peak()).toBeLessThanOrEqual(3);
    for (const f of files) {
      const item = await d.index.get(f.fileName, f.deviceId);
      expect(item).toMatchObject({ location: 's3', size: f.bytes.length, version: 1, server: 'it', ftpPath: f.rel });
      expect(item!.leaseOwner).toBeUndefined();
      expect((await objectBytes(item!.s3Key!)).equals(f.bytes)).toBe(true);
      expect(existsSync(f.local) && readFileSync(f.local).equals(f.bytes)).toBe(true);
    }
    const kinds = await Promise.all(files.slice(0, 3).map((f) => d.index.get(f.fileName, f.deviceId).then((i) => i!.kind)));
    expect(kinds).toEqual(['big', 'small', 'json']);
    d.pools.close();
  });

  it('duplicate requests and concurrent workers: one copy, one index switch', async () => {
    const dev = uniqueDevice('DUP');
    const [f] = writeTree(ftp.users.cam!.dir, { devices: [dev], hours: [hoursAgo(1)], captures: 1 });
    const workers = Array.from({ length: 6 }, (_, i) => depsFor(ftp, 'cam', { owner: `w${i}` }));
    const results = await Promise.all(workers.map((d) => migrateFile(d, { server: 'it', path: f!.rel })));
    expect(results.filter((r) => r.status === 'migrated')).toHaveLength(1);
    expect(results.every((r) => ['migrated', 'busy', 'already'].includes(r.status))).toBe(true);
    // Redelivery after the fact: nothing to do.
    expect((await migrateFile(workers[0]!, { server: 'it', path: f!.rel })).status).toBe('already');
    const item = await index().get(f!.fileName, dev);
    expect(item).toMatchObject({ location: 's3', version: 1 });
    expect(await keysUnder(`ftp/${dev}/`)).toEqual([s3KeyFor(parseRel(f!.rel))]);
    workers.forEach((d) => d.pools.close());
  });

  it('a backfill and queue consumers on the same files at once: each file copied and switched once', async () => {
    const dev = uniqueDevice('RACE');
    const files = writeTree(ftp.users.cam!.dir, { devices: [dev], hours: [hoursAgo(3)], captures: 15 });
    const bf = depsFor(ftp, 'cam', { owner: 'backfill' });
    const consumer = depsFor(ftp, 'cam', { owner: 'consumer' });
    const [report, consumed] = await Promise.all([
      backfill(bf, { server: 'it', concurrency: 8, since: hoursAgo(3) }),
      pMap([...files].reverse(), async (f) => {
        for (;;) {
          const r = await migrateFile(consumer, { server: 'it', path: f.rel });
          if (r.status !== 'busy') return r.status;
          await new Promise((res) => setTimeout(res, 200));
        }
      }, { concurrency: 4 }),
    ]);
    expect(report.failed).toBe(0);
    expect(consumed.every((s) => s === 'migrated' || s === 'already')).toBe(true);
    // One successful claim (attempts counts them) and one switch (version 1) per file.
    const mine = await Promise.all(files.map((f) => index().get(f.fileName, dev)));
    expect(mine.map((i) => [i?.location, i?.version, i?.attempts])).toEqual(files.map(() => ['s3', 1, 1]));
    expect(await keysUnder(`ftp/${dev}/`)).toHaveLength(files.length);
    bf.pools.close();
    consumer.pools.close();
  });

  it('large files go up in parts; the multipart ETag is checked', async () => {
    const dev = uniqueDevice('BIG');
    const h = hoursAgo(1);
    const p = (n: number) => String(n).padStart(2, '0');
    const dir = `ftpdata/${dev}/${h.getUTCFullYear()}/${p(h.getUTCMonth() + 1)}/${p(h.getUTCDate())}/${p(h.getUTCHours())}`;
    const base = `${h.getUTCFullYear()}_${p(h.getUTCMonth() + 1)}_${p(h.getUTCDate())}_${p(h.getUTCHours())}_00_00_1`;
    const big = writeFile(ftp.users.cam!.dir, `${dir}/${base}_0.jpg`, randomBytes(12 * 1024 * 1024 + 123));
    const exact = writeFile(ftp.users.cam!.dir, `${dir}/${base}_1.jpg`, randomBytes(10 * 1024 * 1024));
    const d = depsFor(ftp, 'cam', { partSize: 5 * 1024 * 1024 });
    for (const [f, parts] of [[big, 3], [exact, 2]] as const) {
      const r = await migrateFile(d, { server: 'it', path: f.rel });
      expect(r.status).toBe('migrated');
      const item = await d.index.get(f.fileName, dev);
      expect(item!.etag).toMatch(new RegExp(`-${parts}$`));
      expect((await objectBytes(item!.s3Key!)).equals(f.bytes)).toBe(true);
    }
    d.pools.close();
  });

  it('a size mismatch is a failure, never a switch', async () => {
    const dev = uniqueDevice('MIS');
    const [f] = writeTree(ftp.users.cam!.dir, { devices: [dev], hours: [hoursAgo(1)], captures: 1 });
    // A server whose SIZE answer disagrees with what it sends.
    const lying = depsFor(ftp, 'cam', {
      connect: async (s, pw) => {
        const c = await connectFtp(s, pw);
        const real = c.size.bind(c);
        c.size = async (path: string) => (await real(path)) + 1;
        return c;
      },
    });
    await expect(migrateFile(lying, { server: 'it', path: f!.rel })).rejects.toThrow(/size mismatch/);
    const item = await index().get(f!.fileName, dev);
    expect(item).toMatchObject({ location: 'ftp' });
    expect(item!.lastError).toMatch(/size mismatch/);
    expect(item!.leaseOwner).toBeUndefined(); // released: a retry need not wait
    const honest = depsFor(ftp, 'cam');
    expect((await migrateFile(honest, { server: 'it', path: f!.rel })).status).toBe('migrated');
    lying.pools.close();
    honest.pools.close();
  });

  it('the FTP server stops in the middle of a backfill: retries, nothing lost, index true', async () => {
    const dev = uniqueDevice('DOWN');
    const files = writeTree(ftp.users.down!.dir, { devices: [dev], hours: [hoursAgo(2), hoursAgo(1)], captures: 10, size: () => 30_000 });
    const d = depsFor(ftp, 'down', { extra: { maxConnections: 2, timeoutMs: 5000 } });
    let stopped = false;
    let restarted: Promise<void> | undefined;
    const report = await backfill(d, {
      server: 'it', concurrency: 4, minRetryMs: 300, maxRetryMs: 2000, retries: 10,
      onProgress: (p) => {
        if (!stopped && p.done >= 15) {
          stopped = true;
          restarted = ftp.stop().then(() => new Promise((r) => setTimeout(r, 1500))).then(() => ftp.start());
        }
      },
    });
    await restarted;
    expect(stopped).toBe(true);
    expect(report.failed).toBe(0);
    expect(report.migrated).toBe(files.length);
    for (const f of files) {
      const item = await d.index.get(f.fileName, dev);
      expect(item?.location).toBe('s3');
      expect((await objectBytes(item!.s3Key!)).equals(f.bytes)).toBe(true);
    }
    // A second run finds everything done.
    const again = await backfill(d, { server: 'it' });
    expect(again).toMatchObject({ migrated: 0, failed: 0 });
    d.pools.close();
  });

  it('one backfill per server at a time: a second is refused while the first runs, then finds all done', async () => {
    const dev = uniqueDevice('LOCK');
    const files = writeTree(ftp.users.cam!.dir, { devices: [dev], hours: [hoursAgo(6)], captures: 5 });
    const a = { ...depsFor(ftp, 'cam'), state: state() };
    const b = { ...depsFor(ftp, 'cam'), state: state() };
    // (Other tests' files under the same user are in S3 by now: skipped.)
    const first = backfill(a, { server: 'it', since: hoursAgo(6) });
    await new Promise((r) => setTimeout(r, 50)); // a holds the lock from its first request on
    await expect(backfill(b, { server: 'it', since: hoursAgo(6) })).rejects.toBeInstanceOf(BackfillLockedError);
    const ra = await first;
    expect(ra.failed, JSON.stringify(ra.failures)).toBe(0);
    expect(ra.migrated).toBeGreaterThanOrEqual(files.length);
    // Claim-free writes still count one migration per file.
    const items = await Promise.all(files.map((f) => index().get(f.fileName, dev)));
    expect(items.map((i) => [i?.location, i?.version, i?.attempts])).toEqual(files.map(() => ['s3', 1, 1]));
    for (const [i, f] of files.entries()) expect((await objectBytes(items[i]!.s3Key!)).equals(f.bytes)).toBe(true);
    const rb = await backfill(b, { server: 'it', since: hoursAgo(6) });
    expect(rb).toMatchObject({ migrated: 0, failed: 0 });
    a.pools.close();
    b.pools.close();
  });
});
