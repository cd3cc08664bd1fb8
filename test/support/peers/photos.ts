import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Peer } from '../global-stack.js';
import { freePort } from '../ports.js';
import { startReceiver } from './receiver.js';

/**
 * Remote peers of the photo pipeline:
 * - "the file server" (where cameras' photos live), serving test/fixtures plus misbehaving routes:
 *   /fixtures/<file>[?anything]   the fixture (the query makes URLs unique per test)
 *   /missing.jpg                  404
 *   /text.txt                     a text file (200 text/plain)
 *   /fake.jpg                     text served as image/jpeg (the bytes decide, not the header)
 *   /huge.jpg                     25 MB with Content-Length (JPEG magic first)
 *   /huge-chunked.jpg             25 MB streamed without Content-Length
 *   /slow.jpg                     headers after 30 s (beyond the 10 s timeout)
 *   /flaky/<file>?key=k&fail=n    the first n requests for key k answer 503, then the fixture
 *   /redirect?to=<url>            302 to `to`
 *   /_hits?url=<path+query>       how many requests that exact URL received
 * - "remote server 2": a receiver (test/support/peers/receiver.ts) at PHOTOS_REPORT_URL = <receiver>/report.
 * - an address where nothing listens (photoUnreachable).
 */
const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.mp4': 'video/mp4', '.json': 'application/json' };
const HUGE = 25 * 1024 * 1024;

function hugeBody(): Buffer {
  const b = Buffer.alloc(HUGE, 0);
  b[0] = 0xff;
  b[1] = 0xd8;
  b[2] = 0xff;
  return b;
}

export async function startPhotoFiles(): Promise<{ url: string; stop(): Promise<void> }> {
  const hits = new Map<string, number>();
  const flaky = new Map<string, number>();
  let huge: Buffer | undefined;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const full = url.pathname + url.search;
    if (url.pathname !== '/_hits') hits.set(full, (hits.get(full) ?? 0) + 1);
    const serveFixture = async (name: string) => {
      if (!/^[\w.-]+$/.test(name)) return void res.writeHead(400).end();
      try {
        const body = await readFile(resolve(FIXTURES, name));
        res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'content-length': body.length });
        res.end(body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    };
    try {
      if (url.pathname === '/_hits') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ count: hits.get(url.searchParams.get('url') ?? '') ?? 0 }));
      }
      if (url.pathname.startsWith('/fixtures/')) return await serveFixture(url.pathname.slice('/fixtures/'.length));
      if (url.pathname.startsWith('/flaky/')) {
        const key = url.searchParams.get('key') ?? '';
        const n = (flaky.get(key) ?? 0) + 1;
        flaky.set(key, n);
        if (n <= Number(url.searchParams.get('fail') ?? 0)) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('try later');
        return await serveFixture(url.pathname.slice('/flaky/'.length));
      }
      switch (url.pathname) {
        case '/missing.jpg':
          return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such photo');
        case '/text.txt':
          return void res.writeHead(200, { 'content-type': 'text/plain' }).end('this is a text file, not a photo\n');
        case '/fake.jpg':
          return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<!DOCTYPE html><html>not a jpeg</html>');
        case '/huge.jpg':
          huge ??= hugeBody();
          res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': huge.length });
          return void res.end(huge);
        case '/huge-chunked.jpg': {
          huge ??= hugeBody();
          res.writeHead(200, { 'content-type': 'image/jpeg' });
          for (let i = 0; i < huge.length && !res.destroyed; i += 1024 * 1024) {
            if (!res.write(huge.subarray(i, i + 1024 * 1024))) {
              await new Promise<void>((r) => {
                const done = () => (res.off('drain', done), res.off('close', done), r());
                res.on('drain', done).on('close', done);
              });
            }
          }
          return void res.end();
        }
        case '/slow.jpg': {
          const t = setTimeout(() => void serveFixture('messi5.jpg'), 30_000);
          res.once('close', () => clearTimeout(t));
          return;
        }
        case '/redirect': {
          return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
        }
        default:
          return void res.writeHead(404).end();
      }
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

export interface PhotoPeers {
  files: string;
  receiver: string;
  unreachable: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The file server, remote server 2 and a dead address, with the environment the stack needs. */
export async function startPhotoPeers(opts: { stuckAfter?: string } = {}): Promise<PhotoPeers> {
  const files = await startPhotoFiles();
  const receiver = await startReceiver();
  const unreachable = `http://127.0.0.1:${await freePort()}`;
  return {
    files: files.url,
    receiver: receiver.url,
    unreachable,
    env: {
      PHOTOS_REPORT_URL: `${receiver.url}/report`,
      // Small, so the sweeper tests need not wait 10 minutes; above the local retry backoff (≤ 4 s), so
      // records that are retrying are never taken for stuck when the scheduled sweep runs.
      PHOTOS_STUCK_AFTER: opts.stuckAfter ?? '20s',
    },
    stop: async () => {
      await Promise.allSettled([files.stop(), receiver.stop()]);
    },
  };
}

export async function start(): Promise<Peer> {
  const p = await startPhotoPeers();
  return { env: p.env, urls: { photoFiles: p.files, photoReceiver: p.receiver, photoUnreachable: p.unreachable }, stop: p.stop };
}
