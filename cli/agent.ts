import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import pRetry from 'p-retry';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../shared/platform/aws.js';
import { cutClips } from '../shared/video/index.js';
import { cameraSource } from '../shared/clips/api.js';
import { clipKey, isCameraId } from '../shared/clips/keys.js';
import { Agent, httpRegistry, type OwnedCamera, type Recorder } from './agent-daemon.js';

/**
 * `panoptes agent --id A --camera cam1=rtsp://… --camera cam2=/videos/lobby.mp4`: a capture agent.
 * Registers its --camera sources, heartbeats, claims its fair share of the cameras, cuts each owned
 * source into 5 s MP4 clips (ffmpeg) and uploads them to the clips bucket as
 * {cameraId}/{startEpochMs}.mp4; stops the cameras it loses. A file source loops in real time, a
 * simulated camera. Uploads go straight to S3 with the standard AWS credentials/endpoint variables.
 */
const seconds = (what: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${what} must be a number of seconds in [${min}, ${max}]`);
  return n;
};

function cameraSpec(v: string, prev: Array<{ cameraId: string; source: string }>) {
  const i = v.indexOf('=');
  const cameraId = i > 0 ? v.slice(0, i) : '';
  const source = i > 0 ? v.slice(i + 1) : '';
  if (!isCameraId(cameraId) || !cameraSource.safeParse(source).success) {
    throw new InvalidArgumentError(`expected <cameraId>=<rtsp url or file path>, got ${JSON.stringify(v)}`);
  }
  return [...prev, { cameraId, source }];
}

const isLive = (source: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(source);

interface RecorderOptions {
  bucket: string;
  segmentSec: number;
  dryRun: boolean;
  log: (line: string) => void;
}

/** ffmpeg cutting one source into clips; each closed clip is uploaded before the next one closes. */
export function clipRecorder(camera: OwnedCamera, o: RecorderOptions): Recorder {
  const stop = new AbortController();
  const live = isLive(camera.source);
  // Wall clock of source time 0, from the first clip: it closed (about) when its last frame was read.
  let anchorMs: number | undefined;
  const done = (async () => {
    await cutClips(camera.source, {
      segmentSec: o.segmentSec,
      loop: !live,
      realtime: !live,
      stopSignal: stop.signal,
      onClip: async (clip) => {
        anchorMs ??= clip.closedAtMs - clip.endSec * 1000;
        const startMs = Math.round(anchorMs + clip.startSec * 1000);
        const key = clipKey(camera.cameraId, startMs);
        if (o.dryRun) {
          o.log(`${camera.cameraId}: clip ${clip.durationSec.toFixed(1)} s (dry run: ${key} not uploaded)`);
          return;
        }
        const body = await readFile(clip.path);
        // A failed upload would stop the recorder (and lose the clips until the next claim): retry first.
        await pRetry(() => s3().send(new PutObjectCommand({ Bucket: o.bucket, Key: key, Body: body, ContentType: 'video/mp4' })), {
          retries: 3,
          minTimeout: 500,
          onFailedAttempt: ({ error, attemptNumber }) => o.log(`${camera.cameraId}: upload of ${key} failed (attempt ${attemptNumber}): ${error.message}`),
        });
        o.log(`${camera.cameraId}: uploaded ${key} (${clip.durationSec.toFixed(1)} s)`);
      },
    });
  })();
  done.catch(() => undefined);
  return {
    done,
    stop: async () => {
      stop.abort();
      await done.catch(() => undefined);
    },
  };
}

export function registerAgent(program: Command): void {
  program
    .command('agent')
    .description('run a capture agent: register, heartbeat, claim cameras, cut and upload 5 s clips')
    .requiredOption('--id <agentId>', 'agent id (unique per agent)', (v) => {
      if (!isCameraId(v)) throw new InvalidArgumentError('1–64 characters of A–Z a–z 0–9 _ . -');
      return v;
    })
    .option('--camera <id=source>', 'a camera and its source (rtsp://… or a video file, looped); repeatable', cameraSpec, [])
    .option('--api <url>', 'HTTP API base URL', process.env.PANOPTES_API ?? 'http://127.0.0.1:3000')
    .option('--key <key>', 'API key (x-api-key)', process.env.PANOPTES_API_KEY ?? 'local-dev-key')
    .option('--bucket <name>', 'clips bucket', process.env.CLIPS_BUCKET ?? 'panoptes-local-clips')
    .option('--heartbeat <seconds>', 'heartbeat/claim interval; dead after 3 missed', seconds('heartbeat', 1, 300), 10)
    .option('--segment <seconds>', 'clip length', seconds('segment', 1, 60), 5)
    .option('--dry-run', 'cut clips but do not upload them (check a source without feeding the pipeline)')
    .action(async (o: { id: string; camera: OwnedCamera[]; api: string; key: string; bucket: string; heartbeat: number; segment: number; dryRun?: boolean }) => {
      const log = (line: string) => console.log(`${new Date().toISOString()} [${o.id}] ${line}`);
      const registry = httpRegistry(o.api, o.key);
      for (const c of o.camera) {
        await registry.registerCamera(c.cameraId, c.source);
        log(`registered ${c.cameraId} = ${c.source}`);
      }
      const agent = new Agent({
        agentId: o.id,
        host: hostname(),
        pid: process.pid,
        intervalSeconds: o.heartbeat,
        client: registry,
        recorder: (camera) => clipRecorder(camera, { bucket: o.bucket, segmentSec: o.segment, dryRun: Boolean(o.dryRun), log }),
        log,
      });
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        process.once(sig, () => {
          log(`${sig}: stopping cameras and giving them back`);
          stop.abort();
        });
      }
      log(`agent up: heartbeat every ${o.heartbeat} s, registry ${o.api}`);
      await agent.run(stop.signal);
      log('stopped');
    });
}
