import '../../support/env.js';
import pMap from 'p-map';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { s3ForMd5Uploads } from '../../../shared/platform/aws.js';
import { connectFtp } from '../../../shared/ftp/client.js';
import { Passwords } from '../../../shared/ftp/config.js';
import { migrateFile, type MigrateDeps } from '../../../shared/ftp/migrate.js';
import { FtpPools } from '../../../shared/ftp/pool.js';
import { startFtpServer, type TestFtpServer } from '../../support/peers/ftp.js';
import { BUCKET, index, objectBytes, serversFor, uniqueDevice, writeFile, type TreeFile } from './helpers.js';

let ftp: TestFtpServer;
beforeAll(async () => {
  ftp = await startFtpServer({ users: { bw: 'pw-bw' } });
});
afterAll(async () => {
  await ftp.destroy();
});

const KiB = 1024;
const TABLE = '08:00,512k 19:00,off';

/** When downloads started and ended (the measure is the transfer, not the index and S3 work around it). */
const spans = { starts: [] as number[], ends: [] as number[] };

/** A server limited by TABLE in +08:00, its timetable read from an injected wall clock. */
function deps(clock: () => number): MigrateDeps & { pools: FtpPools } {
  const servers = serversFor(ftp, 'bw', { maxConnections: 2, utcOffset: '+08:00', bandwidth: TABLE });
  const pools = new FtpPools(servers, new Passwords({ env: { FTP_PASSWORDS: JSON.stringify({ it: 'pw-bw' }), STAGE: 'local' } }), async (s, pw) => {
    const c = await connectFtp(s, pw);
    const download = c.downloadTo.bind(c);
    c.downloadTo = async (...args: Parameters<typeof download>) => {
      spans.starts.push(performance.now());
      try {
        return await download(...args);
      } finally {
        spans.ends.push(performance.now());
      }
    };
    return c;
  }, { now: clock });
  return { pools, index: index(), s3: s3ForMd5Uploads(), bucket: BUCKET, leaseMs: 60_000 };
}

/** Files of `bytes` each under a past hour of a fresh device (names are date-independent). */
function files(n: number, bytes: number): TreeFile[] {
  const dev = uniqueDevice('BW');
  const dir = `ftpdata/${dev}/2024/03/10/09`;
  return Array.from({ length: n }, (_, i) => writeFile(ftp.users.bw!.dir, `${dir}/2024_03_10_09_00_${String(i).padStart(2, '0')}_${100 + i}_0.jpg`, randomBytes(bytes)));
}

async function timedMigration(d: MigrateDeps & { pools: FtpPools }, fs: TreeFile[]): Promise<number> {
  spans.starts.length = 0;
  spans.ends.length = 0;
  // 4 files in flight over 2 connections: while one downloads, the next waits claimed for it.
  const results = await pMap(fs, (f) => migrateFile(d, { server: 'it', path: f.rel }), { concurrency: 4 });
  const secs = (Math.max(...spans.ends) - Math.min(...spans.starts)) / 1000;
  expect(results.every((r) => r.status === 'migrated')).toBe(true);
  for (const f of fs) {
    const item = await d.index.get(f.fileName, f.deviceId);
    expect((await objectBytes(item!.s3Key!)).equals(f.bytes)).toBe(true);
  }
  return secs;
}

describe('bandwidth limit per FTP server (timetable in the server\'s utcOffset)', () => {
  it('10:00 local (512k in force): 2 MiB over 2 connections arrive at 512 KiB/s ± 15 % (first download start to last end)', async () => {
    // 2024-03-10 02:00 UTC = 10:00 at +08:00, inside "08:00,512k".
    const d = deps(() => Date.parse('2024-03-10T02:00:00Z'));
    const fs = files(4, 512 * KiB);
    const secs = await timedMigration(d, fs);
    const rate = (4 * 512 * KiB) / secs / KiB;
    console.log(`bandwidth test: 2 MiB in ${secs.toFixed(2)} s = ${rate.toFixed(0)} KiB/s (limit 512 KiB/s)`);
    expect(rate).toBeGreaterThan(512 * 0.85);
    expect(rate).toBeLessThan(512 * 1.15);
    d.pools.close();
  }, 30_000);

  it('20:00 local ("19:00,off"): the same transfer is not limited', async () => {
    const d = deps(() => Date.parse('2024-03-10T12:00:00Z'));
    const fs = files(4, 512 * KiB);
    const secs = await timedMigration(d, fs);
    console.log(`bandwidth test (off): 2 MiB in ${secs.toFixed(2)} s`);
    // Unlimited is far above 512 KiB/s (4 s); even a loaded machine moves 2 MiB locally in < 2 s.
    expect(secs).toBeLessThan(2);
    d.pools.close();
  }, 30_000);
});
