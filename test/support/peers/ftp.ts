import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FtpSrv } from 'ftp-srv';
import type { Peer } from '../global-stack.js';
import { freePort } from '../ports.js';

/**
 * A real FTP server for tests and the bench: ftp-srv in this process, each user rooted in its
 * own local directory (tests write camera files there directly). It can be stopped and started
 * again on the same port (the "FTP server went down" cases), and can speak explicit FTPS.
 */
export interface FtpUser {
  password: string;
  dir: string;
}

export interface TestFtpServer {
  host: string;
  port: number;
  users: Record<string, FtpUser>;
  running(): boolean;
  /** Closes every connection and stops listening. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Connections open right now, and the most seen at once since the last resetPeak(). */
  connections(): number;
  peak(): number;
  resetPeak(): void;
  /** Logins so far (each is one new control connection). */
  logins: number;
  /** Removes the users' directories too. */
  destroy(): Promise<void>;
}

// ftp-srv logs through bunyan by default; tests want silence.
const quiet: Record<string, unknown> = {};
for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal']) quiet[level] = () => undefined;
quiet.child = () => quiet;

export async function startFtpServer(opts: {
  users: Record<string, string>;
  tls?: { key: string; cert: string };
  port?: number;
  baseDir?: string;
}): Promise<TestFtpServer> {
  const host = '127.0.0.1';
  const port = opts.port ?? (await freePort());
  const base = opts.baseDir ?? mkdtempSync(join(tmpdir(), 'ftp-'));
  const users: Record<string, FtpUser> = {};
  for (const [name, password] of Object.entries(opts.users)) {
    const dir = join(base, name);
    mkdirSync(dir, { recursive: true });
    users[name] = { password, dir };
  }
  let srv: FtpSrv | undefined;
  let open = 0;
  let peak = 0;
  const self: TestFtpServer = {
    host,
    port,
    users,
    logins: 0,
    running: () => Boolean(srv),
    connections: () => open,
    peak: () => peak,
    resetPeak: () => void (peak = open),
    async start() {
      if (srv) return;
      const before = new Set(['SIGTERM', 'SIGINT', 'SIGQUIT'].flatMap((s) => process.listeners(s as NodeJS.Signals)));
      const s = new FtpSrv({
        url: `ftp://${host}:${port}`,
        pasv_url: host,
        // Passive ports: a wide range, ftp-srv probes for a free one.
        pasv_min: 20000,
        pasv_max: 29999,
        anonymous: false,
        greeting: ['panoptes test FTP'],
        log: quiet as never,
        ...(opts.tls ? { tls: opts.tls } : {}),
      });
      // ftp-srv exits the process on SIGTERM/SIGINT; that is the test runner's business.
      for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as NodeJS.Signals[]) {
        for (const l of process.listeners(sig)) if (!before.has(l)) process.removeListener(sig, l);
      }
      s.on('login', ({ username, password }, resolve, reject) => {
        const u = users[username];
        if (!u || u.password !== password) return reject(new Error('bad login'));
        self.logins++;
        resolve({ root: u.dir });
      });
      (s as unknown as NodeJS.EventEmitter).on('connect', () => (peak = Math.max(peak, ++open)));
      s.on('disconnect', () => (open = Math.max(0, open - 1)));
      s.on('client-error', () => undefined);
      await s.listen();
      srv = s;
    },
    async stop() {
      const s = srv;
      srv = undefined;
      if (s) await s.close();
      open = 0;
    },
    async destroy() {
      await self.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}

/** A throwaway self-signed certificate for 127.0.0.1/localhost (openssl on the machine). */
export function selfSignedCert(): { key: string; cert: string; fingerprint256: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ftps-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'pipe' });
    const fp = execFileSync('openssl', ['x509', '-in', join(dir, 'cert.pem'), '-noout', '-fingerprint', '-sha256'], { encoding: 'utf8' });
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      fingerprint256: fp.trim().split('=')[1]!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The e2e peer: one FTP server with two users, `cam` (a server that notifies: FTP server `e2e`) and
 * `scan` (a server that cannot: `e2escan`, scanned on schedule). Control over HTTP for the tests:
 * POST /stop, POST /start, GET /status.
 */
export async function start(): Promise<Peer> {
  const ftp = await startFtpServer({ users: { cam: 'cam-secret', scan: 'scan-secret' } });
  const servers = {
    e2e: { host: ftp.host, port: ftp.port, user: 'cam', root: '/', maxConnections: 4 },
    e2escan: { host: ftp.host, port: ftp.port, user: 'scan', root: '/', maxConnections: 2, scan: true },
  };
  const control = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'POST' && req.url === '/stop') await ftp.stop();
        else if (req.method === 'POST' && req.url === '/start') await ftp.start();
        else if (!(req.method === 'GET' && req.url === '/status')) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ running: ftp.running(), connections: ftp.connections(), logins: ftp.logins }));
      } catch (err) {
        res.writeHead(500).end(String(err));
      }
    })();
  });
  await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  return {
    env: {
      FTP_SERVERS: JSON.stringify(servers),
      FTP_PASSWORDS: JSON.stringify({ e2e: 'cam-secret', e2escan: 'scan-secret' }),
    },
    urls: {
      ftpControl: controlUrl,
      ftpRoot: ftp.users.cam!.dir,
      ftpScanRoot: ftp.users.scan!.dir,
      ftpServers: JSON.stringify(servers),
    },
    async stop() {
      await new Promise<void>((r) => control.close(() => r()));
      await ftp.destroy();
    },
  };
}
