/**
 * Clip pipeline on the local stack (its own, on free ports): frames/s and clips/s through inference,
 * and latency from clip upload to alarm push.
 *
 * Footage per camera: 1 grey clip, the 6 fixture clips (30 s, campus path), 3 grey clips; a zone
 * over the whole path raises ~10 alarms per camera.
 * R. The rules engine alone: ms per sampled frame for 50 tracks × 20 rules (bench/rules.ts).
 * 0. The inference function's core in this process (decode + detector on the 6 fixture clips, model
 *    warm): the ceiling for one inference instance.
 * 1. Throughput: BENCH_CLIP_CAMERAS (2) cameras uploaded back to back (each clip after the previous
 *    one was dispatched), all cameras at once: frames/s and clips/s from first upload to last clip
 *    analysed.
 * 2. Latency: one camera uploaded live, one clip every 5 s like a capture agent. Per alarm: push −
 *    upload of the clip where the incident started (includes waiting for the 15 s of footage after
 *    it: ≥ 15–20 s by design), and push − upload of the last clip its replay needed (the pipeline's
 *    own latency: inference of that clip, tracking, replay build, push).
 *
 * `npx tsx bench/clips.ts` (after `npm run build`: the stack runs dist/), or `npm run bench -- clips`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startStack } from '../infra/local/stack.js';
import { LOCAL_CREDENTIALS } from '../infra/local/emulators.js';
import { cutClips, runMedia } from '../shared/video/index.js';
import { inferClip } from '../shared/clips/inference.js';
import type { DetectPersonsOptions } from '../shared/vision/detect.js';
import { freePort } from '../test/support/ports.js';
import { startReceiver, type Received } from '../test/support/peers/receiver.js';
import { isMain, percentile, printTable } from './util.js';
import { benchRules } from './rules.js';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/pedestrians_0-30s.mp4', import.meta.url));
const CAMERAS = Number(process.env.BENCH_CLIP_CAMERAS ?? 2);
const KEY = 'local-dev-key';
const ZONE = [[0, 170], [767, 170], [767, 420], [0, 420]];

export interface ClipsBenchResult {
  cameras: number;
  /** Decode + detect in this process, one clip after the other: one inference instance's ceiling. */
  inProcessFramesPerSec: number;
  clips: number;
  frames: number;
  /** First upload → last clip analysed. */
  inferenceWallSec: number;
  framesPerSec: number;
  clipsPerSec: number;
  /** Mean detector+decode time per frame inside one inference invocation. */
  msPerFrameInFunction: number;
  alarms: number;
  /** Alarms of the live-paced camera (the latency sample). */
  liveAlarms: number;
  uploadToPushP50Ms: number;
  uploadToPushP99Ms: number;
  lastClipToPushP50Ms: number;
  lastClipToPushP99Ms: number;
  /** 1-minute load average at the end: other work on the machine skews everything above. */
  loadAverage: number;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export async function benchClips(): Promise<ClipsBenchResult> {
  // R. The rules engine's cost per frame with every analytics option (no stack needed).
  await benchRules();
  const dir = await mkdtemp(join(tmpdir(), 'panoptes-bench-clips-'));
  const receiver = await startReceiver();
  const stack = await startStack({
    dynamoPort: await freePort(), fauxqsPort: await freePort(), httpPort: await freePort(), lambdaPort: await freePort(),
    env: { CLIPS_ALARM_WEBHOOK_URL: `${receiver.url}/alarms/{cameraId}` },
  });
  try {
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(stack.httpUrl + path, { method, headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<any>;
    };
    const s3 = new S3Client({ region: 'us-east-1', credentials: LOCAL_CREDENTIALS, endpoint: stack.awsEndpoint, forcePathStyle: true });
    const fixture = (await cutClips(FIXTURE, { outDir: join(dir, 'fixture') })).map((c) => c.path);
    const pad = join(dir, 'pad.mp4');
    await runMedia('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x505050:s=768x576:r=10:d=5', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-y', pad]);
    const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;

    // 0. In-process ceiling (the model is loaded once before timing): the person engine the functions run
    //    (PERSON_MODEL, default coco-ssd, its own settings) beside the baseline of before the engine
    //    (CenterNet at minScore 0.4, no counting rules), on the same frames.
    const inProcess = async (settings: DetectPersonsOptions) => {
      await inferClip(await readFile(pad), { cameraId: 'warm', key: 'warm', startMs: 0, etag: '' }, { fps: 2, settings });
      const t = performance.now();
      let frames = 0;
      for (const path of fixture) frames += (await inferClip(await readFile(path), { cameraId: 'b', key: 'b', startMs: 0, etag: '' }, { fps: 2, settings })).clip.frames.length;
      return { frames, sec: (performance.now() - t) / 1000 };
    };
    const baseline = await inProcess({ model: { model: 'centernet', tiles: 'none' }, minScore: 0.4, iou: 0.5, ignoreTopEdge: false, crowdFrom: Number.MAX_SAFE_INTEGER });
    const engine = await inProcess({});
    const localFrames = engine.frames;
    const localSec = engine.sec;
    printTable('clips: decode + person detection per frame in one process (2 fps, the 6 fixture clips)', [
      { detector: 'baseline: centernet 0.4, no rules', frames: baseline.frames, 'ms/frame': round((1000 * baseline.sec) / baseline.frames) },
      { detector: `engine: ${process.env.PERSON_MODEL || 'coco-ssd'} with its counting rules`, frames: engine.frames, 'ms/frame': round((1000 * engine.sec) / engine.frames) },
    ]);
    const sequence = [
      { startMs: T0 - 5000, path: pad },
      ...fixture.map((path, i) => ({ startMs: T0 + i * 5000, path })),
      ...[30_000, 35_000, 40_000].map((s) => ({ startMs: T0 + s, path: pad })),
    ];
    const cams = Array.from({ length: CAMERAS }, (_, i) => `bench-${Date.now().toString(36)}-${i + 1}`);
    for (const cam of cams) await api('PUT', `/cameras/${cam}/rules`, { rules: [{ id: 'path', type: 'zone', polygon: ZONE }] });
    // Warm the inference function (model load) so the figures are steady-state.
    const warm = `bench-warm-${Date.now().toString(36)}`;
    await s3.send(new PutObjectCommand({ Bucket: 'panoptes-local-clips', Key: `${warm}/${T0}.mp4`, Body: await readFile(pad) }));
    await waitFor(async () => (await api('GET', `/cameras/${warm}/clips?from=0`)).items[0]?.inferredAt, 'warm-up clip', 300_000);

    const clipsOf = async (cam: string) => (await api('GET', `/cameras/${cam}/clips?from=0`)).items as Array<{ startMs: number; dispatchedAt: string | null; inferredAt: string | null; trackedAt: string | null; frames: number | null; inferenceMs: number | null }>;
    const uploadedAt = new Map<string, number>(); // `${cam}/${startMs}` → ms
    const upload = async (cam: string, c: { startMs: number; path: string }) => {
      uploadedAt.set(`${cam}/${c.startMs}`, Date.now());
      await s3.send(new PutObjectCommand({ Bucket: 'panoptes-local-clips', Key: `${cam}/${c.startMs}.mp4`, Body: await readFile(c.path) }));
    };
    const analysed = (cams: string[]) => waitFor(async () => {
      const lists = await Promise.all(cams.map(clipsOf));
      return lists.every((l) => l.length === sequence.length && l.every((c) => c.inferredAt && c.trackedAt)) && lists.flat();
    }, 'all clips analysed', 1_800_000, 250);
    const delivered = async (cams: string[]) => (await Promise.all(cams.map(async (cam) => {
      const list = await waitFor(async () => {
        const items = (await api('GET', `/alarms?cameraId=${cam}&limit=100`)).items as Array<{ alarmId: string; startedAt: string; pushStatus: string | null }>;
        return items.length > 0 && items.every((a) => a.pushStatus === 'delivered') && items;
      }, 'alarms delivered', 900_000, 500);
      return list.map((a) => ({ ...a, cam }));
    }))).flat();

    // 1. Throughput.
    const started = Date.now();
    await Promise.all(cams.map(async (cam) => {
      for (const c of sequence) {
        await upload(cam, c);
        await waitFor(async () => (await clipsOf(cam)).find((x) => x.startMs === c.startMs)?.dispatchedAt, 'dispatch', 120_000, 100);
      }
    }));
    const all = await analysed(cams);
    const lastInferred = Math.max(...all.map((c) => Date.parse(c.inferredAt!)));
    const frames = all.reduce((n, c) => n + (c.frames ?? 0), 0);
    const inferenceMs = all.reduce((n, c) => n + (c.inferenceMs ?? 0), 0);
    const wallSec = (lastInferred - started) / 1000;
    const burstAlarms = await delivered(cams);

    // 2. Latency, live-paced.
    const live = `bench-live-${Date.now().toString(36)}`;
    await api('PUT', `/cameras/${live}/rules`, { rules: [{ id: 'path', type: 'zone', polygon: ZONE }] });
    for (const c of sequence) {
      const t = Date.now();
      await upload(live, c);
      await sleep(Math.max(0, 5000 - (Date.now() - t)));
    }
    await analysed([live]);
    const alarms = await delivered([live]);
    const pushes = await (await fetch(`${receiver.url}/_requests`)).json() as Received[];
    const pushedAt = new Map<string, number>();
    for (const p of pushes) if (p.status < 300) pushedAt.set(JSON.parse(p.body).alarmId, p.at);
    const fromStart: number[] = [];
    const fromLast: number[] = [];
    for (const a of alarms) {
      const at = pushedAt.get(a.alarmId);
      if (at === undefined) continue;
      const start = Date.parse(a.startedAt);
      const holder = [...sequence].reverse().find((c) => c.startMs <= start) ?? sequence[0]!;
      const lastNeeded = [...sequence].reverse().find((c) => c.startMs < start + 15_000) ?? sequence.at(-1)!;
      fromStart.push(at - uploadedAt.get(`${a.cam}/${holder.startMs}`)!);
      fromLast.push(at - uploadedAt.get(`${a.cam}/${lastNeeded.startMs}`)!);
    }
    const result: ClipsBenchResult = {
      cameras: CAMERAS,
      inProcessFramesPerSec: round(localFrames / localSec, 2),
      clips: all.length,
      frames,
      inferenceWallSec: round(wallSec),
      framesPerSec: round(frames / wallSec, 2),
      clipsPerSec: round(all.length / wallSec, 3),
      msPerFrameInFunction: round(inferenceMs / Math.max(1, frames)),
      alarms: burstAlarms.length + alarms.length,
      liveAlarms: alarms.length,
      uploadToPushP50Ms: Math.round(percentile(fromStart, 50)),
      uploadToPushP99Ms: Math.round(percentile(fromStart, 99)),
      lastClipToPushP50Ms: Math.round(percentile(fromLast, 50)),
      lastClipToPushP99Ms: Math.round(percentile(fromLast, 99)),
      loadAverage: round(loadavg()[0]!, 1),
    };
    printTable('clips: inference and alarm latency on the local stack', [result as unknown as Record<string, unknown>]);
    return result;
  } finally {
    await stack.stop();
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  await benchClips();
  process.exit(0);
}
