/**
 * The operator console: initial JavaScript (what index.html loads before the first render, gzip)
 * against the 300 KB target, and the time from navigation to the rendered camera wall on the local
 * stack in real headless Chromium, with 1 and 200 cameras, beside the floor it cannot beat: the
 * wall's own API call (GET /cameras/status) timed from Node on the same stack.
 *
 * `npm run bench -- console` (needs `npm run build` first — `npm run bench` does it — and Chromium).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startStack } from '../infra/local/stack.js';
import { CONSOLE_DIR, startConsole } from '../infra/local/console.js';
import { hasChromium, launchChromium } from '../test/support/chromium.js';
import { freePort } from '../test/support/ports.js';
import { isMain, percentile, printTable } from './util.js';

const TARGET_KB = 300;
const KEY = 'local-dev-key';
const RUNS = 7;

const gz = (file: string) => gzipSync(readFileSync(resolve(CONSOLE_DIR, file.replace(/^\//, '')))).length;

/** Scripts and module preloads of index.html: what the browser fetches before anything renders. */
export function initialJs(): { files: string[]; gzipBytes: number } {
  const html = readFileSync(resolve(CONSOLE_DIR, 'index.html'), 'utf8');
  const files = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="([^"]+\.js)"/g)].map((m) => m[1]!);
  return { files, gzipBytes: files.reduce((s, f) => s + gz(f), 0) };
}

export async function benchConsole(): Promise<void> {
  const initial = initialJs();
  const all = readdirSync(resolve(CONSOLE_DIR, 'assets')).filter((f) => f.endsWith('.js'));
  const allGz = all.reduce((s, f) => s + gz(`assets/${f}`), 0);
  printTable('console bundle (gzip)', [
    { what: 'initial JS (index.html scripts + preloads)', kb: +(initial.gzipBytes / 1024).toFixed(1), targetKb: TARGET_KB, files: initial.files.length },
    { what: 'all JS chunks (every page opened once)', kb: +(allGz / 1024).toFixed(1), targetKb: '—', files: all.length },
  ]);
  if (!hasChromium) {
    console.log('console: no Chromium at /usr/bin/chromium (CHROMIUM_PATH): time to the camera wall not measured');
    return;
  }
  const stack = await startStack({ dynamoPort: await freePort(), fauxqsPort: await freePort(), httpPort: await freePort(), lambdaPort: await freePort() });
  const web = await startConsole({ port: await freePort(), apiUrl: stack.httpUrl, storageUrl: stack.awsEndpoint });
  const browser = await launchChromium({ width: 1280, height: 800 });
  try {
    const rows: Record<string, unknown>[] = [];
    let registered = 0;
    for (const cameras of [1, 200]) {
      for (; registered < cameras; registered++) {
        const res = await fetch(`${stack.httpUrl}/cameras/bench-${String(registered).padStart(3, '0')}`, {
          method: 'PUT', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: `Bench camera ${registered}` }),
        });
        if (!res.ok) throw new Error(`PUT camera: ${res.status} ${await res.text()}`);
      }
      const api: number[] = [];
      const wall: number[] = [];
      for (let i = 0; i < RUNS + 1; i++) {
        const page = await browser.context.newPage();
        await page.addInitScript((k) => sessionStorage.setItem('panoptes.apiKey', k), KEY);
        await page.goto(web.url, { waitUntil: 'commit' });
        await page.locator('.wall > li').nth(cameras - 1).waitFor({ timeout: 60_000 });
        // From the navigation's start (the browser's own clock) to the wall being in the DOM.
        const ms = await page.evaluate<number>('performance.now()');
        await page.close();
        if (i === 0) continue; // warm-up: the first run also starts the functions' processes
        wall.push(ms);
        api.push(await timeStatus(stack.httpUrl));
      }
      rows.push({
        cameras,
        'wall p50 ms': +percentile(wall, 50).toFixed(0),
        'wall p90 ms': +percentile(wall, 90).toFixed(0),
        'floor: GET /cameras/status p50 ms': +percentile(api, 50).toFixed(0),
        runs: RUNS,
      });
    }
    printTable('console: navigation → camera wall rendered (headless Chromium, local stack)', rows);
  } finally {
    await browser.close();
    await web.stop();
    await stack.stop();
  }
}

async function timeStatus(httpUrl: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${httpUrl}/cameras/status`, { headers: { 'x-api-key': KEY } });
  await res.json();
  return performance.now() - t;
}

if (isMain(import.meta.url)) await benchConsole();
