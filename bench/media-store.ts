/**
 * Media store throughput on the local stack (serverless-offline + fauxqs), booted here on free ports:
 * - ranged streaming MB/s through GET /media/{id}/content (4 MiB answers) beside a direct ranged
 *   GetObject on the same emulator in the same run (the ratio is the cost of the function path);
 * - time to first byte of a small range: /content, the 302 path (redirect + presigned GET), S3 direct;
 * - multipart upload MB/s through the presigned part URLs (and one presigned PUT).
 * `npm run bench -- media` (builds first) or `npx tsx bench/media-store.ts` after `npm run build`.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { request } from 'undici';
import { clientsFor, startStack } from '../infra/local/stack.js';
import { freePort } from '../test/support/ports.js';
import { MediaClient } from '../cli/media-client.js';
import { isMain, percentile, printTable } from './util.js';

const MIB = 1024 * 1024;
const KEY = 'local-dev-key';

export interface MediaStoreBenchOptions {
  fileMiB?: number;
  ttfbSamples?: number;
}

export async function benchMediaStore(opts: MediaStoreBenchOptions = {}) {
  const fileMiB = opts.fileMiB ?? 100;
  const samples = opts.ttfbSamples ?? 30;
  if (!existsSync(resolve(import.meta.dirname, '../dist/functions/media/read.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
  }
  const stack = await startStack({ dynamoPort: await freePort(), fauxqsPort: await freePort(), httpPort: await freePort(), lambdaPort: await freePort() });
  const dir = await mkdtemp(join(tmpdir(), 'bench-media-'));
  try {
    const client = new MediaClient({ api: stack.httpUrl, key: KEY });
    const aws = clientsFor(stack.env);
    const doc = DynamoDBDocumentClient.from(aws.dynamo);
    const size = fileMiB * MIB;
    const data = randomBytes(size);
    const file = join(dir, 'bench.bin');
    await writeFile(file, data);

    // Upload: warm the functions first (cold starts are not throughput).
    const small = join(dir, 'small.bin');
    await writeFile(small, data.subarray(0, 8 * MIB));
    await client.upload(small, { appId: 'bench', userId: 'warm' });
    let t = performance.now();
    const single = await client.upload(small, { appId: 'bench', userId: 'bench' });
    const singleMs = performance.now() - t;
    t = performance.now();
    let parts = 0;
    const view = await client.upload(file, { appId: 'bench', userId: 'bench', concurrency: 4, onPlan: (p) => (parts = p.parts) });
    const multipartMs = performance.now() - t;
    const rec = (await doc.send(new GetCommand({ TableName: 'panoptes-local-media-files', Key: { fileId: view.fileId } }))).Item!;

    // Streaming the whole file in 4 MiB ranges, one request after another (what a player does).
    const chunk = 4 * MIB;
    const ranges: Array<[number, number]> = [];
    for (let s = 0; s < size; s += chunk) ranges.push([s, Math.min(size, s + chunk) - 1]);
    await client.range(view.fileId, 0, 1023); // warm both read functions
    await client.url(view.fileId);
    t = performance.now();
    let viaFunction = 0;
    for (const [a, b] of ranges) {
      const r = await client.range(view.fileId, a, b);
      if (r.bytes.length !== b - a + 1 || !r.bytes.equals(data.subarray(a, b + 1))) throw new Error(`wrong bytes for ${a}-${b}`);
      viaFunction += r.bytes.length;
    }
    const functionMs = performance.now() - t;
    t = performance.now();
    let direct = 0;
    for (const [a, b] of ranges) {
      const out = await aws.s3.send(new GetObjectCommand({ Bucket: rec.bucket, Key: rec.key, Range: `bytes=${a}-${b}` }));
      direct += (await out.Body!.transformToByteArray()).length;
    }
    const directMs = performance.now() - t;

    // Time to first byte of a 64 KiB range at random offsets.
    const ttfb = { content: [] as number[], redirect: [] as number[], s3: [] as number[] };
    for (let i = 0; i < samples; i++) {
      const a = Math.floor(Math.random() * (size - 65536));
      const range = `bytes=${a}-${a + 65535}`;
      let s = performance.now();
      let res = await request(`${stack.httpUrl}/media/${view.fileId}/content`, { headers: { 'x-api-key': KEY, range } });
      await firstByte(res.body);
      ttfb.content.push(performance.now() - s);

      s = performance.now();
      res = await request(`${stack.httpUrl}/media/${view.fileId}`, { headers: { 'x-api-key': KEY } });
      await res.body.dump();
      res = await request(String(res.headers.location), { headers: { range } });
      await firstByte(res.body);
      ttfb.redirect.push(performance.now() - s);

      s = performance.now();
      const out = await aws.s3.send(new GetObjectCommand({ Bucket: rec.bucket, Key: rec.key, Range: range }));
      await firstByte(out.Body as AsyncIterable<Uint8Array>);
      ttfb.s3.push(performance.now() - s);
    }

    const mbps = (bytes: number, ms: number) => +(bytes / 1e6 / (ms / 1000)).toFixed(1);
    const ms = (v: number) => +v.toFixed(1);
    const streaming = [
      { path: 'GET /media/{id}/content (Range, 4 MiB answers)', MiB: viaFunction / MIB, 'MB/s': mbps(viaFunction, functionMs), requests: ranges.length },
      { path: 'S3 GetObject Range (same emulator)', MiB: direct / MIB, 'MB/s': mbps(direct, directMs), requests: ranges.length },
    ];
    const ratio = +(mbps(viaFunction, functionMs) / mbps(direct, directMs)).toFixed(2);
    const firstBytes = [
      { path: '/content 64 KiB range', 'p50 ms': ms(percentile(ttfb.content, 50)), 'p95 ms': ms(percentile(ttfb.content, 95)) },
      { path: 'GET /media/{id} → 302 → presigned ranged GET', 'p50 ms': ms(percentile(ttfb.redirect, 50)), 'p95 ms': ms(percentile(ttfb.redirect, 95)) },
      { path: 'S3 GetObject Range direct', 'p50 ms': ms(percentile(ttfb.s3, 50)), 'p95 ms': ms(percentile(ttfb.s3, 95)) },
    ];
    const uploads = [
      { upload: `multipart ${fileMiB} MiB (${parts} parts, 4 in flight) + complete`, 'MB/s': mbps(size, multipartMs), ms: ms(multipartMs) },
      { upload: 'single presigned PUT 8 MiB + complete', 'MB/s': mbps(single.size, singleMs), ms: ms(singleMs) },
    ];
    printTable(`media store: ranged streaming (function / S3 direct = ${ratio})`, streaming);
    printTable(`media store: time to first byte (${samples} samples)`, firstBytes);
    printTable('media store: uploads through presigned URLs', uploads);
    return { streaming, ratio, firstBytes, uploads };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await stack.stop();
  }
}

async function firstByte(body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const _ of body) break; // leaving the loop releases the rest
}

if (isMain(import.meta.url)) await benchMediaStore();
