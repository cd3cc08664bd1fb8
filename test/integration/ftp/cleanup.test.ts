import '../../support/env.js';
import pMap from 'p-map';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runCleanup } from '../../../shared/ftp/cleanup.js';
import { migrateFile } from '../../../shared/ftp/migrate.js';
import { startFtpServer, type TestFtpServer } from '../../support/peers/ftp.js';
import { depsFor, index, objectBytes, state, uniqueDevice, writeFile, writeTree, type TreeFile } from './helpers.js';

/**
 * Cleanup runs one at a time (one checkpoint for the whole table), so these cases are sequential.
 * Their server is named `itc`: other files' servers are unknown here, their files just wait.
 * Time is real: the retention of each run is chosen so that the cutoff falls between the files
 * meant to be past it and the others, however long migrations took.
 */
let ftp: TestFtpServer;
beforeAll(async () => {
  ftp = await startFtpServer({ users: { cam: 'pw' } });
});
afterAll(async () => {
  await ftp.destroy();
});

const hourAgo = () => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function migrateAll(d: ReturnType<typeof depsFor>, files: TreeFile[]) {
  const rs = await pMap(files, (f) => migrateFile(d, { server: 'itc', path: f.rel }), { concurrency: 8 });
  expect(rs.every((r) => r.status === 'migrated')).toBe(true);
  const items = await Promise.all(files.map((f) => d.index.get(f.fileName, f.deviceId)));
  return items.map((i) => Date.parse(i!.syncedAt!));
}

/** Retention putting the cutoff halfway between the last sync of `old` and the first of `young`. */
const retentionBetween = (old: number[], young: number[]) => {
  const mid = (Math.max(...old) + Math.min(...young)) / 2;
  return Date.now() - mid;
};

describe('cleanup against a real FTP server', () => {
  it('deletes only files past retention, sets ftpDeletedAt; the index keeps pointing at S3', async () => {
    const d = { ...depsFor(ftp, 'cam', { name: 'itc' }), state: state() };
    const dev = uniqueDevice('CLN');
    const old = writeTree(ftp.users.cam!.dir, { devices: [dev], hours: [hourAgo()], captures: 4 });
    const oldSynced = await migrateAll(d, old);
    await sleep(1200);
    const young = writeTree(ftp.users.cam!.dir, { devices: [`${dev}Y`], hours: [hourAgo()], captures: 4 });
    const youngSynced = await migrateAll(d, young);
    // Before cleanup every FTP copy is untouched.
    for (const f of [...old, ...young]) expect(readFileSync(f.local).equals(f.bytes)).toBe(true);

    const dry = await runCleanup(d, { retentionMs: retentionBetween(oldSynced, youngSynced), dryRun: true });
    expect(dry.deleted).toBeGreaterThanOrEqual(old.length);
    for (const f of old) expect(existsSync(f.local)).toBe(true);

    const r = await runCleanup(d, { retentionMs: retentionBetween(oldSynced, youngSynced) });
    expect(r.failed).toBe(0);
    for (const f of old) {
      expect(existsSync(f.local)).toBe(false);
      const item = await d.index.get(f.fileName, f.deviceId);
      expect(item).toMatchObject({ location: 's3' });
      expect(item!.ftpDeletedAt).toBeTruthy();
      expect((await objectBytes(item!.s3Key!)).equals(f.bytes)).toBe(true);
    }
    for (const f of young) {
      expect(readFileSync(f.local).equals(f.bytes)).toBe(true);
      expect((await d.index.get(f.fileName, f.deviceId))!.ftpDeletedAt).toBeUndefined();
    }
    d.pools.close();
  });

  it('a file changed on FTP after migration is re-migrated, not deleted', async () => {
    const d = { ...depsFor(ftp, 'cam', { name: 'itc' }), state: state() };
    const dev = uniqueDevice('CHG');
    const files = writeTree(ftp.users.cam!.dir, { devices: [dev], hours: [hourAgo()], captures: 1 });
    const synced = await migrateAll(d, files);
    const [changed, sameSize, untouched] = files as [TreeFile, TreeFile, TreeFile];
    // One grows; one is rewritten with the same size (only its MDTM tells).
    const grown = Buffer.concat([changed.bytes, randomBytes(500)]);
    writeFileSync(changed.local, grown);
    const rewritten = randomBytes(sameSize.bytes.length);
    writeFileSync(sameSize.local, rewritten);
    const later = new Date(Date.now() + 5000);
    utimesSync(sameSize.local, later, later);
    await sleep(1200);
    const r = await runCleanup(d, { retentionMs: Date.now() - (Math.max(...synced) + 600) });
    expect(r.remigrated).toBeGreaterThanOrEqual(2);
    for (const [f, bytes] of [[changed, grown], [sameSize, rewritten]] as const) {
      expect(readFileSync(f.local).equals(bytes)).toBe(true); // not deleted
      const item = await d.index.get(f.fileName, dev);
      expect(item).toMatchObject({ location: 's3', version: 2, size: bytes.length });
      expect(item!.ftpDeletedAt).toBeUndefined();
      expect(item!.s3Key).toMatch(/\.v2\.(jpg|json)$/);
      expect((await objectBytes(item!.s3Key!)).equals(bytes)).toBe(true);
    }
    expect(existsSync(untouched.local)).toBe(false);
    d.pools.close();
  });

  it('FTP down during cleanup: files wait, nothing is lost, the index stays true; the next run deletes them', async () => {
    const d = { ...depsFor(ftp, 'cam', { name: 'itc', extra: { timeoutMs: 3000 } }), state: state() };
    const dev = uniqueDevice('OFF');
    const files = writeTree(ftp.users.cam!.dir, { devices: [dev], hours: [hourAgo()], captures: 3 });
    const synced = await migrateAll(d, files);
    d.pools.close();
    await sleep(1000);
    const retentionMs = () => Date.now() - (Math.max(...synced) + 500);
    await ftp.stop();
    let r;
    try {
      const d2 = { ...depsFor(ftp, 'cam', { name: 'itc', extra: { timeoutMs: 3000 } }), state: state() };
      r = await runCleanup(d2, { retentionMs: retentionMs() });
      d2.pools.close();
    } finally {
      await ftp.start();
    }
    expect(r.serversDown.itc).toBeTruthy();
    expect(r.waiting).toBeGreaterThanOrEqual(files.length);
    for (const f of files) {
      expect(existsSync(f.local)).toBe(true);
      const item = await index().get(f.fileName, dev);
      expect(item!.ftpDeletedAt).toBeUndefined();
      expect(item!.location).toBe('s3');
    }
    // The checkpoint did not move past them.
    expect(Date.parse(r.checkpoint)).toBeLessThanOrEqual(Math.min(...synced));
    const d3 = { ...depsFor(ftp, 'cam', { name: 'itc' }), state: state() };
    const again = await runCleanup(d3, { retentionMs: retentionMs() });
    expect(again.serversDown.itc).toBeUndefined();
    for (const f of files) {
      expect(existsSync(f.local)).toBe(false);
      expect((await index().get(f.fileName, dev))!.ftpDeletedAt).toBeTruthy();
    }
    d3.pools.close();
  });

  it('FTP stops in the middle of a cleanup: part deleted, part waiting, each recorded truly', async () => {
    const dev = uniqueDevice('MID');
    const files = writeTree(ftp.users.cam!.dir, { devices: [dev], hours: [hourAgo()], captures: 20 });
    const d = { ...depsFor(ftp, 'cam', { name: 'itc', extra: { maxConnections: 1, timeoutMs: 3000 } }), state: state() };
    const synced = await migrateAll(d, files);
    await sleep(1000);
    let seen = 0;
    let stopping: Promise<void> | undefined;
    const r = await runCleanup(d, {
      retentionMs: Date.now() - (Math.max(...synced) + 500),
      concurrency: 1,
      onItem: () => {
        if (++seen === 10) stopping = ftp.stop();
      },
    });
    await stopping;
    await ftp.start();
    expect(r.deleted + r.waiting + r.alreadyGone).toBeGreaterThanOrEqual(files.length);
    expect(r.waiting).toBeGreaterThan(0);
    for (const f of files) {
      const item = await index().get(f.fileName, dev);
      // The index says deleted exactly when the FTP copy is gone.
      expect(Boolean(item!.ftpDeletedAt)).toBe(!existsSync(f.local));
      expect(item!.location).toBe('s3');
    }
    const again = await runCleanup({ ...depsFor(ftp, 'cam', { name: 'itc' }), state: state() }, { retentionMs: Date.now() - (Math.max(...synced) + 500) });
    expect(again.serversDown.itc).toBeUndefined();
    for (const f of files) expect(existsSync(f.local)).toBe(false);
    d.pools.close();
  });
});

describe('cleanup removes emptied layout directories', () => {
  const p2 = (n: number) => String(n).padStart(2, '0');
  /** `yyyy/MM/dd/HH` of an instant in UTC (the test server's utcOffset). */
  const hourKey = (t: number) => {
    const d = new Date(t);
    return `${d.getUTCFullYear()}/${p2(d.getUTCMonth() + 1)}/${p2(d.getUTCDate())}/${p2(d.getUTCHours())}`;
  };
  const fileIn = (dev: string, key: string, i: number, n = 0) => {
    const [y, M, d, H] = key.split('/');
    return `ftpdata/${dev}/${key}/${y}_${M}_${d}_${H}_00_${p2(i)}_${100 + i}_${n}.jpg`;
  };

  it('hour, day, month and year directories go once empty and past the retention; younger or non-empty ones stay', async () => {
    const d = { ...depsFor(ftp, 'cam', { name: 'itc' }), state: state() };
    const root = ftp.users.cam!.dir;
    // Old: a fixed past date, so its day, month and year are past any retention (date-independent).
    const old = uniqueDevice('DIRO');
    const oldFiles = [0, 1, 2].map((i) => writeFile(root, fileIn(old, '2019/06/01/10', i), randomBytes(900)));
    // Old but not empty: a file in it is not migrated (nor anything else the camera left there).
    const kept = writeFile(root, fileIn(old, '2019/06/01/11', 1), randomBytes(900));
    const stray = writeFile(root, fileIn(old, '2019/06/01/11', 2), randomBytes(900));
    // Young: the next hour's directory ends more than an hour from now, after this run's cutoff
    // whenever the test runs.
    const young = uniqueDevice('DIRY');
    const youngKey = hourKey(Date.now() + 3_600_000);
    const youngFiles = [0, 1].map((i) => writeFile(root, fileIn(young, youngKey, i), randomBytes(900)));
    const synced = await migrateAll(d, [...oldFiles, kept, ...youngFiles]);
    await sleep(1000);

    const r = await runCleanup(d, { retentionMs: Date.now() - (Math.max(...synced) + 500) });
    expect(r.failed).toBe(0);
    for (const f of [...oldFiles, kept, ...youngFiles]) expect(existsSync(f.local)).toBe(false);
    expect(existsSync(stray.local)).toBe(true);
    const dir = (dev: string, key: string) => join(root, 'ftpdata', dev, key);
    // 2019/06/01/10 emptied → removed; 2019/06/01/11 still holds the stray → it and its parents stay.
    expect(existsSync(dir(old, '2019/06/01/10'))).toBe(false);
    expect(existsSync(dir(old, '2019/06/01/11'))).toBe(true);
    expect(existsSync(dir(old, '2019/06/01'))).toBe(true);
    // The young hour directory is empty but within the retention: it stays.
    expect(readdirSync(dir(young, youngKey))).toEqual([]);
    expect(r.dirsRemoved).toBeGreaterThanOrEqual(1);

    // The stray goes (by hand); the next run finds nothing to delete and leaves the directories
    // it has not emptied alone: cleanup only looks at directories it emptied (or kept pending).
    rmSync(stray.local);
    const again = await runCleanup(d, { retentionMs: Date.now() - (Math.max(...synced) + 500) });
    expect(again.failed).toBe(0);
    expect(existsSync(dir(young, youngKey))).toBe(true);
    d.pools.close();
  });

  it('a whole device history emptied: hour → day → month → year removed, the device directory stays', async () => {
    const d = { ...depsFor(ftp, 'cam', { name: 'itc' }), state: state() };
    const root = ftp.users.cam!.dir;
    const dev = uniqueDevice('DIRA');
    const files = [writeFile(root, fileIn(dev, '2018/12/31/23', 1), randomBytes(500)), writeFile(root, fileIn(dev, '2018/12/31/22', 2), randomBytes(500))];
    const synced = await migrateAll(d, files);
    await sleep(1000);
    const r = await runCleanup(d, { retentionMs: Date.now() - (Math.max(...synced) + 500) });
    expect(r.failed).toBe(0);
    expect(r.dirsRemoved).toBeGreaterThanOrEqual(5); // 2 hours, day, month, year
    expect(existsSync(join(root, 'ftpdata', dev, '2018'))).toBe(false);
    expect(readdirSync(join(root, 'ftpdata', dev))).toEqual([]);
    d.pools.close();
  });

  it('a directory emptied while younger than the retention is removed by a later run once it is older', async () => {
    const d = { ...depsFor(ftp, 'cam', { name: 'itc' }), state: state() };
    const root = ftp.users.cam!.dir;
    const dev = uniqueDevice('DIRL');
    const key = hourKey(Date.now() + 3_600_000); // ends within 2 h from now
    const files = [writeFile(root, fileIn(dev, key, 3), randomBytes(500))];
    const synced = await migrateAll(d, files);
    await sleep(1000);
    const retentionMs = Date.now() - (Math.max(...synced) + 500);
    const first = await runCleanup(d, { retentionMs });
    expect(first.failed).toBe(0);
    expect(existsSync(files[0]!.local)).toBe(false);
    expect(existsSync(join(root, 'ftpdata', dev, key))).toBe(true); // young: kept, remembered
    // A later run whose cutoff is past that hour's end (an injected clock: 4 h later, retention 1 h).
    const checkpoint = await d.state.get<{ syncedAt: string }>('cleanup#checkpoint');
    const later = Date.now() + 4 * 3_600_000;
    try {
      const second = await runCleanup({ ...d, now: () => later }, { retentionMs: 3_600_000 });
      expect(second.failed).toBe(0);
      expect(existsSync(join(root, 'ftpdata', dev, key))).toBe(false);
    } finally {
      // That run moved the shared checkpoint into the future: put it back for whatever runs next.
      if (checkpoint) await d.state.put('cleanup#checkpoint', { syncedAt: checkpoint.syncedAt });
    }
    d.pools.close();
  });
});
