import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { startFtpServer, type TestFtpServer } from '../../support/peers/ftp.js';
import { index, objectBytes, uniqueDevice, writeTree } from './helpers.js';

const root = resolve(import.meta.dirname, '../../..');
let ftp: TestFtpServer;
beforeAll(async () => {
  ftp = await startFtpServer({ users: { cli: 'pw-cli' } });
});
afterAll(async () => {
  await ftp.destroy();
});

/** `panoptes …` as an operator runs it: a separate process, configured by its environment. */
function panoptes(args: string[]): Promise<{ code: number; out: string }> {
  const env = {
    ...process.env,
    CI: '1', // progress bar without a TTY
    STAGE: 'local',
    FTP_SERVERS: JSON.stringify({ clisrv: { host: ftp.host, port: ftp.port, user: 'cli', maxConnections: 3 } }),
    FTP_PASSWORD_CLISRV: 'pw-cli',
  };
  return new Promise((res) => {
    execFile(resolve(root, 'node_modules/.bin/tsx'), [resolve(root, 'cli/main.ts'), ...args], { env, cwd: root }, (err, stdout, stderr) =>
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });
}

describe('panoptes migrate / ftp-cleanup (CLI)', () => {
  it('dry run counts, the real run migrates with a summary, a re-run finds everything done', async () => {
    const dev = uniqueDevice('CLI');
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);
    const files = writeTree(ftp.users.cli!.dir, { devices: [dev], hours: [hour], captures: 4 });
    const dry = await panoptes(['migrate', '--server', 'clisrv', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(new RegExp(`would migrate ${files.length} file\\(s\\)`));
    expect((await index().get(files[0]!.fileName, dev))).toBeUndefined();

    const run = await panoptes(['migrate', '--server', 'clisrv', '--concurrency', '4', '--since', hour.toISOString()]);
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(new RegExp(`${files.length} migrated .*0 failed`));
    expect(run.out).toMatch(/files\/s, [\d.]+ MB\/s/);
    for (const f of files) {
      const item = await index().get(f.fileName, dev);
      expect(item?.location).toBe('s3');
      expect((await objectBytes(item!.s3Key!)).equals(f.bytes)).toBe(true);
      expect(existsSync(f.local)).toBe(true);
    }
    const again = await panoptes(['migrate', '--server', 'clisrv']);
    expect(again.out).toMatch(new RegExp(`0 migrated .*${files.length} already in S3, 0 failed`));

    const cleanup = await panoptes(['ftp-cleanup', '--dry-run', '--retention', '1h']);
    expect(cleanup.code, cleanup.out).toBe(0);
    expect(cleanup.out).toMatch(/ftp-cleanup \(dry run\): retention 1h/);
    for (const f of files) expect(existsSync(f.local)).toBe(true);
  });

  it('refuses unknown servers and bad options', async () => {
    const r = await panoptes(['migrate', '--server', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/unknown FTP server nope; FTP_SERVERS has: clisrv/);
    expect((await panoptes(['migrate', '--server', 'clisrv', '--since', 'yesterday-ish'])).out).toMatch(/must be a date/);
    expect((await panoptes(['migrate', '--server', 'clisrv', '--concurrency', '0'])).out).toMatch(/integer from 1/);
    expect((await panoptes(['ftp-cleanup', '--retention', 'soon'])).out).toMatch(/bad duration/);
  });
});
