import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { api } from '../../support/http.js';
import { allInS3, device, hoursAgo, invoke, peers, writeCaptures, type CamFile } from './helpers.js';

interface CleanupReport { deleted: number; remigrated: number; waiting: number; failed: number; serversDown: Record<string, string> }

const view = (f: CamFile) => api('GET', `/images/${f.fileName}?deviceId=${f.deviceId}`);

async function migrated(files: CamFile[]) {
  await api('POST', '/ftp/notify', { body: files.map((f) => ({ server: 'e2e', path: f.rel })) });
  await allInS3(files, 'migration', 120_000);
}

describe('cleanup (the scheduled function, invoked) and the scanner', () => {
  it('deletes FTP copies past retention only; a file changed since migration is re-migrated', async () => {
    const old = writeCaptures({ devices: [device('CLO')], hours: [hoursAgo(2)], captures: 3 });
    await migrated(old);
    const [changed] = old.splice(0, 1) as [CamFile];
    const grown = Buffer.concat([changed.bytes, randomBytes(100)]);
    writeFileSync(changed.local, grown);
    await new Promise((r) => setTimeout(r, 3000));
    const young = writeCaptures({ devices: [device('CLY')], hours: [hoursAgo(1)], captures: 2 });
    const t = Date.now();
    await migrated(young);
    // Retention: the young files are newer than (now - retention), the old ones older.
    const retention = `${Math.ceil((Date.now() - t) / 1000) + 1}s`;
    const r = await invoke<CleanupReport>('ftpCleanup', { retention });
    expect(r.failed).toBe(0);
    expect(r.remigrated).toBeGreaterThanOrEqual(1);
    for (const f of old) {
      expect(existsSync(f.local)).toBe(false);
      const v = await view(f);
      expect(v.json.location).toBe('s3');
      expect(Buffer.from(await (await fetch(v.json.url)).arrayBuffer()).equals(f.bytes)).toBe(true);
    }
    for (const f of young) expect(readFileSync(f.local).equals(f.bytes)).toBe(true);
    // The changed file: still on FTP, and S3 now has its new content.
    expect(readFileSync(changed.local).equals(grown)).toBe(true);
    const v = await view(changed);
    expect(v.json.size).toBe(grown.length);
    expect(Buffer.from(await (await fetch(v.json.url)).arrayBuffer()).equals(grown)).toBe(true);
  });

  it('the scanner queues new files of a server that cannot notify', async () => {
    const dev = device('SCN');
    const files = writeCaptures({ root: peers().ftpScanRoot!, devices: [dev], hours: [hoursAgo(1)], captures: 2, mtime: new Date(Date.now() - 10 * 60_000) });
    const r = await invoke<{ reports: Array<{ server: string; queued: number; errors: string[] }> }>('ftpScan', { servers: ['e2escan'] });
    expect(r.reports[0]).toMatchObject({ server: 'e2escan', errors: [] });
    await allInS3(files, 'scanned files migrated', 120_000);
    const again = await invoke<{ reports: Array<{ queued: number }> }>('ftpScan', { servers: ['e2escan'] });
    expect(again.reports[0]!.queued).toBe(0);
    expect(existsSync(join(peers().ftpScanRoot!, files[0]!.rel))).toBe(true);
  });
});
