import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectFtp } from '../../../shared/ftp/client.js';
import { parseServers } from '../../../shared/ftp/config.js';
import { migrateFile } from '../../../shared/ftp/migrate.js';
import { selfSignedCert, startFtpServer, type TestFtpServer } from '../../support/peers/ftp.js';
import { depsFor, objectBytes, uniqueDevice, writeTree } from './helpers.js';

let ftp: TestFtpServer;
let cert: ReturnType<typeof selfSignedCert>;
beforeAll(async () => {
  cert = selfSignedCert();
  ftp = await startFtpServer({ users: { sec: 'pw-sec' }, tls: { key: cert.key, cert: cert.cert } });
});
afterAll(async () => {
  await ftp.destroy();
});

const server = (tls: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  parseServers(JSON.stringify({ s: { host: ftp.host, port: ftp.port, user: 'sec', secure: 'explicit', tls, ...extra } })).get('s')!;
const hourAgo = () => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);

describe('explicit FTPS', () => {
  it('trusts a given CA (here the self-signed certificate itself) and migrates over TLS', async () => {
    const dev = uniqueDevice('TLS');
    const [f] = writeTree(ftp.users.sec!.dir, { devices: [dev], hours: [hourAgo()], captures: 1 });
    const d = depsFor(ftp, 'sec', { extra: { secure: 'explicit', tls: { ca: cert.cert } } });
    const r = await migrateFile(d, { server: 'it', path: f!.rel });
    expect(r.status).toBe('migrated');
    const item = await d.index.get(f!.fileName, dev);
    expect((await objectBytes(item!.s3Key!)).equals(f!.bytes)).toBe(true);
    expect(item!.ftpUrl).toMatch(/^ftps:\/\//);
    d.pools.close();
  });

  it('pins a certificate by fingerprint (checked before the password is sent)', async () => {
    const c = await connectFtp(server({ fingerprint256: cert.fingerprint256 }), 'pw-sec');
    expect((await c.list('/')).length).toBeGreaterThanOrEqual(0);
    c.close();
    const before = ftp.logins;
    const wrong = cert.fingerprint256.replace(/^../, cert.fingerprint256.startsWith('00') ? '11' : '00');
    await expect(connectFtp(server({ fingerprint256: wrong }), 'pw-sec')).rejects.toThrow(/fingerprint/);
    expect(ftp.logins).toBe(before);
  });

  it('refuses an unknown self-signed certificate by default (verification is never off)', async () => {
    await expect(connectFtp(server({}), 'pw-sec')).rejects.toThrow(/self[- ]signed|certificate/i);
    await expect(connectFtp(server({ ca: cert.cert, servername: 'other.example' }), 'pw-sec')).rejects.toThrow(/altnames|does not match|Hostname/i);
  });
});
