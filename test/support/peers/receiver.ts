import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Peer } from '../global-stack.js';

/**
 * A generic remote peer that records every request (plays "remote server 2", alarm webhooks...).
 * Control: POST /_control { path, failFirst?: n, status?: code } makes the first n requests to
 * `path` answer `status` (default 500). GET /_requests?path=... returns what was received.
 */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
  status: number;
}

export async function startReceiver(): Promise<{ url: string; stop(): Promise<void> }> {
  const received: Received[] = [];
  const rules = new Map<string, { remaining: number; status: number }>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/_control' && req.method === 'POST') {
      const { path, failFirst = 0, status = 500 } = JSON.parse(body) as { path: string; failFirst?: number; status?: number };
      rules.set(path, { remaining: failFirst, status });
      res.writeHead(204).end();
      return;
    }
    if (url.pathname === '/_requests') {
      const path = url.searchParams.get('path');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(received.filter((r) => !path || r.path === path)));
      return;
    }
    const rule = rules.get(url.pathname);
    const status = rule && rule.remaining > 0 ? (rule.remaining--, rule.status) : 200;
    received.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body, at: Date.now(), status });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: status < 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function start(): Promise<Peer> {
  const r = await startReceiver();
  return { env: { RECEIVER_URL: r.url }, urls: { receiver: r.url }, stop: r.stop };
}
