import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEV_KEY, stackInfo } from '../../support/env.js';
import { api } from '../../support/http.js';
import { MediaClient, parseContentRange } from '../../../cli/media-client.js';

/**
 * Streaming end to end: a 100 MiB multipart upload through the presigned URLs, ranged reads through
 * /content compared byte for byte, and real players (ffprobe, ffmpeg) reading a video through the
 * redirect and through /content.
 */
const run = promisify(execFile);
const require = createRequire(import.meta.url);
const FFPROBE = (require('@ffprobe-installer/ffprobe') as { path: string }).path;
const FFMPEG = (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
const FIXTURE = resolve(import.meta.dirname, '../../fixtures/pedestrians_0-30s.mp4');
const MIB = 1024 * 1024;
const MAX_ANSWER = 4 * MIB;

let dir: string;
let client: MediaClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-e2e-'));
  client = new MediaClient({ api: stackInfo().httpUrl, key: DEV_KEY });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('100 MiB file: multipart upload, size, ranged reads', () => {
  const size = 100 * MIB;
  let data: Buffer;
  let fileId: string;

  beforeAll(async () => {
    data = randomBytes(size);
    const file = join(dir, 'big.bin');
    await writeFile(file, data);
    let parts = 0;
    let sent = 0;
    const view = await client.upload(file, { appId: 'appA', userId: 'streamer', onPlan: (p) => (parts = p.parts), onProgress: (n) => (sent += n) });
    fileId = view.fileId;
    expect(view).toMatchObject({ status: 'ready', size, appId: 'appA' });
    expect(parts).toBeGreaterThan(1); // multipart through the presigned part URLs
    expect(sent).toBe(size);
  });

  it('HEAD answers the size, type, ETag and byte ranges', async () => {
    const r = await api('HEAD', `/media/${fileId}`);
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('content-length'))).toBe(size);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('etag')).toMatch(/^".+-\d+"$/); // a multipart ETag
    expect(await client.size(fileId)).toBe(size);
  });

  it('50 random Range requests through /content answer exactly those bytes (at most 4 MiB each)', async () => {
    const cases: string[] = ['bytes=0-0', `bytes=${size - 1}-`, 'bytes=-1', `bytes=-${MIB}`, `bytes=${size - 10}-${size + 1000}`];
    while (cases.length < 50) {
      const start = randomInt(0, size);
      const len = randomInt(1, 9 * MIB); // some beyond the 4 MiB cap
      cases.push(randomInt(0, 8) === 0 ? `bytes=${start}-` : `bytes=${start}-${start + len - 1}`);
    }
    for (const range of cases) {
      const res = await fetch(`${stackInfo().httpUrl}/media/${fileId}/content`, { headers: { 'x-api-key': DEV_KEY, range } });
      expect(res.status, range).toBe(206);
      const body = Buffer.from(await res.arrayBuffer());
      const cr = parseContentRange(res.headers.get('content-range')!);
      expect(cr.total).toBe(size);
      const [, a, b] = /^bytes=(\d*)-(\d*)$/.exec(range)!;
      const wantStart = a === '' ? size - Number(b) : Number(a);
      const wantEnd = Math.min(b === '' || a === '' ? size - 1 : Number(b), size - 1, wantStart + MAX_ANSWER - 1);
      expect([cr.start, cr.end], range).toEqual([wantStart, wantEnd]);
      expect(Number(res.headers.get('content-length')), range).toBe(body.length);
      expect(body.length, range).toBe(wantEnd - wantStart + 1);
      expect(body.equals(data.subarray(wantStart, wantEnd + 1)), `bytes of ${range}`).toBe(true);
    }
  });

  it('?offset=&size= (the seed download) answers the same bytes; the client reassembles long ranges', async () => {
    for (let i = 0; i < 20; i++) {
      const offset = randomInt(0, size);
      const len = randomInt(1, 6 * MIB);
      const r = await fetch(`${stackInfo().httpUrl}/media/${fileId}/content?offset=${offset}&size=${len}`, { headers: { 'x-api-key': DEV_KEY } });
      expect(r.status).toBe(206);
      const body = Buffer.from(await r.arrayBuffer());
      const end = Math.min(offset + len, size, offset + MAX_ANSWER);
      expect(body.equals(data.subarray(offset, end)), `offset=${offset}&size=${len}`).toBe(true);
    }
    // 10 MiB from the middle: three answers, reassembled by the client.
    const chunks: Buffer[] = [];
    const sink = new (await import('node:stream')).Writable({ write(c, _e, cb) { chunks.push(c); cb(); } });
    const n = await client.download(fileId, sink, { offset: 33 * MIB + 7, size: 10 * MIB });
    expect(n).toBe(10 * MIB);
    expect(Buffer.concat(chunks).equals(data.subarray(33 * MIB + 7, 43 * MIB + 7))).toBe(true);
  });

  it('GET /media/{fileId} and /content without Range redirect to a presigned URL serving the whole file', async () => {
    for (const path of [`/media/${fileId}`, `/media/${fileId}/content`]) {
      const r = await api('GET', path);
      expect(r.status).toBe(302);
      const url = new URL(r.headers.get('location')!);
      expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(900);
      const ranged = await fetch(url, { headers: { range: 'bytes=50000000-50000099' } });
      expect(ranged.status).toBe(206);
      expect(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(50_000_000, 50_000_100))).toBe(true);
    }
    const whole = await fetch(await client.url(fileId));
    expect(Number(whole.headers.get('content-length'))).toBe(size);
    expect(Buffer.from(await whole.arrayBuffer()).equals(data)).toBe(true);
  });
});

/** ffprobe/ffmpeg at debug level print every request they make: the record of what a player asked. */
function requestsOf(stderr: string): Array<{ path: string; range?: string }> {
  const out: Array<{ path: string; range?: string }> = [];
  const re = /request: GET (\S+) HTTP\/1\.1\r?\n((?:[^\r\n]+\r?\n)*)/g;
  for (const m of stderr.matchAll(re)) {
    const range = /^Range: (.+)$/m.exec(m[2]!)?.[1]?.trim();
    out.push({ path: m[1]!.split('?')[0]!, ...(range ? { range } : {}) });
  }
  return out;
}

async function ffprobe(url: string) {
  const { stdout, stderr } = await run(FFPROBE, [
    '-v', 'debug', '-headers', `x-api-key: ${DEV_KEY}\r\n`,
    '-show_entries', 'format=duration:stream=codec_name,width,height', '-of', 'json', url,
  ], { maxBuffer: 64 * MIB });
  const info = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_name: string; width: number; height: number }> };
  return { duration: Number(info.format.duration), codec: info.streams[0]?.codec_name, width: info.streams[0]?.width, requests: requestsOf(stderr) };
}

describe('a real player reads the fixture video', () => {
  let fileId: string;
  let longId: string;

  beforeAll(async () => {
    fileId = (await client.upload(FIXTURE, { appId: 'appA', userId: 'player' })).fileId;
    // 120 s, 8.5 MB, index (moov) at the end: the player must seek past the first 4 MiB answer.
    const list = join(dir, 'list.txt');
    await writeFile(list, Array(4).fill(`file '${FIXTURE}'`).join('\n'));
    const long = join(dir, 'long.mp4');
    await run(FFMPEG, ['-y', '-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', long]);
    longId = (await client.upload(long, { appId: 'appA', userId: 'player' })).fileId;
  });

  it('ffprobe through GET /media/{id}: follows the redirect, seeks with its own Range requests', async () => {
    const r = await ffprobe(`${stackInfo().httpUrl}/media/${fileId}`);
    console.log('ffprobe via /media/{id} requested:', r.requests);
    expect(r).toMatchObject({ duration: 30, codec: 'h264', width: 768 });
    expect(r.requests[0]).toEqual({ path: `/media/${fileId}`, range: 'bytes=0-' });
    const s3Requests = r.requests.filter((q) => q.path.startsWith('/panoptes-local-media-'));
    expect(s3Requests.length).toBeGreaterThan(0); // the presigned URL on the emulator
    expect(r.requests.some((q) => q.range && q.range !== 'bytes=0-')).toBe(true); // it seeked (moov at the end)
  });

  it('ffprobe through /content: every request a Range answered with 206 by the function', async () => {
    const r = await ffprobe(`${stackInfo().httpUrl}/media/${fileId}/content`);
    console.log('ffprobe via /content requested:', r.requests);
    expect(r).toMatchObject({ duration: 30, codec: 'h264' });
    expect(r.requests.every((q) => q.path === `/media/${fileId}/content` && q.range)).toBe(true);
    const long = await ffprobe(`${stackInfo().httpUrl}/media/${longId}/content`);
    console.log('ffprobe via /content (8.5 MB, moov at the end) requested:', long.requests);
    expect(long).toMatchObject({ duration: 120, codec: 'h264' });
    const seek = long.requests.find((q) => q.range && Number(/bytes=(\d+)-/.exec(q.range)![1]) > MAX_ANSWER);
    expect(seek, 'a seek beyond the first 4 MiB answer').toBeTruthy();
  });

  it('ffmpeg reads the whole 120 s through /content, asking again after each 4 MiB answer', async () => {
    // ffmpeg takes a short 206 for the end of the stream unless told to resume at EOF.
    const { stderr } = await run(FFMPEG, [
      '-v', 'debug', '-reconnect', '1', '-reconnect_at_eof', '1', '-headers', `x-api-key: ${DEV_KEY}\r\n`,
      '-i', `${stackInfo().httpUrl}/media/${longId}/content`, '-c', 'copy', '-f', 'null', '-',
    ], { maxBuffer: 256 * MIB });
    const requests = requestsOf(stderr);
    console.log('ffmpeg (full read) via /content requested:', requests);
    const frames = [...stderr.matchAll(/frame=\s*(\d+)/g)].map((m) => Number(m[1])).at(-1);
    expect(frames).toBe(1200); // 120 s at 10 fps
    expect(requests.length).toBeGreaterThanOrEqual(4);
  });

  it('the bytes a player gets are the file', async () => {
    const original = await readFile(FIXTURE);
    const r = await fetch(`${stackInfo().httpUrl}/media/${fileId}/content`, { headers: { 'x-api-key': DEV_KEY, range: 'bytes=0-' } });
    expect(r.status).toBe(206);
    expect(Buffer.from(await r.arrayBuffer()).equals(original)).toBe(true);
  });
});
