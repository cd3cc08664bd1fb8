import { Client, FTPError } from 'basic-ftp';
import { TLSSocket, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { ServerConfig } from './config.js';

// basic-ftp names its errors `this.constructor.name`; Lambda bundles are minified without keepNames
// (serverless.yml), so the class keeps its own name for logs.
Object.defineProperty(FTPError, 'name', { value: 'FTPError' });

/**
 * Opens a logged-in basic-ftp client for a configured server: plain FTP, explicit FTPS (AUTH TLS)
 * or implicit FTPS. Verification is never switched off silently:
 * - no `tls` settings: the system CAs and the host name;
 * - `tls.ca`: that CA (or that self-signed certificate) and the host name (or `tls.servername`);
 * - `tls.fingerprint256` alone: the certificate must have that SHA-256 fingerprint. It is checked
 *   on the control connection before the password is sent; data connections must either resume
 *   the control connection's TLS session or present the same certificate.
 */
export async function connectFtp(s: ServerConfig, password: string): Promise<Client> {
  const client = new Client(s.timeoutMs);
  cheapTaskStacks(client);
  try {
    if (s.secure === 'none') {
      await client.connect(s.host, s.port);
    } else {
      const opts = tlsOptions(s);
      if (s.secure === 'implicit') await client.connectImplicitTLS(s.host, s.port, opts);
      else {
        await client.connect(s.host, s.port);
        await client.useTLS(opts);
      }
      if (s.tls?.fingerprint256) {
        checkPin(client.ftp.socket as TLSSocket, s.tls.fingerprint256);
        pinDataConnections(client, s.tls.fingerprint256);
      }
    }
    await client.login(s.user, password);
    await client.useDefaultSettings();
    return client;
  } catch (err) {
    client.close();
    throw err;
  }
}

/**
 * basic-ftp records `new Error().stack` for every command (to report where a task was launched
 * when two overlap — which our pool never does). With source maps on (tsx, the CLI) each such
 * stack costs more than the command itself: a profile of `panoptes migrate` showed 6 % of its CPU
 * there. The task's stack is taken without frames instead; FTP errors keep their own stacks.
 */
function cheapTaskStacks(client: Client): void {
  const ctx = client.ftp as unknown as { handle: (...args: unknown[]) => unknown };
  const handle = ctx.handle;
  if (typeof handle !== 'function') return;
  ctx.handle = function (this: unknown, ...args: unknown[]) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return handle.apply(this, args);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

export function tlsOptions(s: ServerConfig): ConnectionOptions {
  const t = s.tls ?? {};
  const pinOnly = Boolean(t.fingerprint256 && !t.ca);
  return {
    host: s.host,
    ...(t.servername ? { servername: t.servername } : {}),
    ...(t.ca ? { ca: t.ca } : {}),
    // Pin-only: the chain cannot be verified (self-signed); the pin is checked instead, below.
    ...(pinOnly ? { rejectUnauthorized: false } : {}),
    minVersion: 'TLSv1.2',
  };
}

const norm = (fp: string) => fp.replace(/:/g, '').toUpperCase();

function fingerprintOf(socket: TLSSocket): string | undefined {
  const cert = socket.getPeerCertificate() as PeerCertificate | Record<string, never>;
  if (cert && 'fingerprint256' in cert && cert.fingerprint256) return cert.fingerprint256;
  const raw = (cert as PeerCertificate).raw;
  return raw ? new X509Certificate(raw).fingerprint256 : undefined;
}

function checkPin(socket: TLSSocket, pin: string): void {
  const got = fingerprintOf(socket);
  if (!got || norm(got) !== norm(pin)) {
    socket.destroy();
    throw new Error(`FTPS certificate fingerprint ${got ?? '(none)'} does not match the pinned one`);
  }
}

/** basic-ftp sets `ftp.dataSocket` before the handshake ends: check each TLS data socket when it does. */
function pinDataConnections(client: Client, pin: string): void {
  const ctx = client.ftp;
  const proto = Object.getPrototypeOf(ctx) as object;
  const desc = Object.getOwnPropertyDescriptor(proto, 'dataSocket');
  if (!desc?.set || !desc.get) throw new Error('basic-ftp internals changed: cannot pin data connections');
  Object.defineProperty(ctx, 'dataSocket', {
    configurable: true,
    get() {
      return desc.get!.call(this);
    },
    set(socket: unknown) {
      if (socket instanceof TLSSocket) {
        socket.once('secureConnect', () => {
          if (socket.isSessionReused()) return;
          const got = fingerprintOf(socket);
          if (!got || norm(got) !== norm(pin)) socket.destroy(new Error('FTPS data connection certificate does not match the pinned one'));
        });
      }
      desc.set!.call(this, socket);
    },
  });
}

/** 550 and friends: the file is not there (or not a file). */
export const isNotFound = (err: unknown) => err instanceof FTPError && (err.code === 550 || err.code === 553);

/**
 * After this error, is the control connection still good for the next command? FTP error replies
 * leave it usable; socket errors, timeouts and TLS failures do not (basic-ftp closes it).
 */
export const connectionUsable = (client: Client, err: unknown) => !client.closed && err instanceof FTPError && err.code !== 421;

/** 4xx replies, socket errors and timeouts are worth retrying; other 5xx replies are not. */
export function isTransient(err: unknown): boolean {
  if (err instanceof FTPError) return err.code < 500 || err.code === 530 /* rotated password */;
  return true;
}
