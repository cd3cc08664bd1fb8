import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Peer } from '../global-stack.js';

/**
 * Where imageUrl points in the search tests: test/fixtures at /fixtures/<file>, a text file at
 * /text.txt and a 12 MB body at /huge.jpg (over the 10 MB image limit). The functions may reach it
 * because the local stage's allow-list includes loopback (functions/search/stages.yml).
 */
const FIXTURES = resolve(import.meta.dirname, '../../fixtures');
const TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.png': 'image/png' };

export async function start(): Promise<Peer> {
  let huge: Buffer | undefined;
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (url.pathname.startsWith('/fixtures/')) {
        const name = url.pathname.slice('/fixtures/'.length);
        if (!/^[\w.-]+$/.test(name)) return void res.writeHead(400).end();
        const body = await readFile(resolve(FIXTURES, name)).catch(() => undefined);
        if (!body) return void res.writeHead(404).end('not found');
        return void res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream', 'content-length': body.length }).end(body);
      }
      if (url.pathname === '/text.txt') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('not an image\n');
      if (url.pathname === '/huge.jpg') {
        huge ??= Buffer.alloc(12 * 1024 * 1024, 0xff);
        return void res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': huge.length }).end(huge);
      }
      res.writeHead(404).end();
    } catch {
      if (!res.headersSent) res.writeHead(500).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    env: {},
    urls: { searchFiles: `http://127.0.0.1:${port}` },
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
