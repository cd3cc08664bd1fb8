import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync, utimesSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { runCleanup } from '../../../shared/ftp/cleanup.js';
import { mapLimit } from '../../../shared/ftp/enqueue.js';
import { migrateFile } from '../../../shared/ftp/migrate.js';
import { startFtpServer, type TestFtpServer } from '../../support/peers/ftp.js';
import { depsFor, index, objectBytes, state, uniqueDevice, writeTree, type TreeFile } from './helpers.js';

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
  const rs = await mapLimit(files, 8, (f) => migrateFile(d, { server: 'itc', path: f.rel }));
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
