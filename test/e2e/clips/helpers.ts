import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../../shared/platform/aws.js';
import { cutClips, probe, runMedia } from '../../../shared/video/index.js';
import { api, eventually } from '../../support/http.js';
import { stackInfo } from '../../support/env.js';
import { resource } from '../../support/names.js';

export const FIXTURE = fileURLToPath(new URL('../../fixtures/pedestrians_0-30s.mp4', import.meta.url));
export const CLIPS_BUCKET = resource('clips');

export interface ClipMedia {
  dir: string;
  /** The fixture cut into 6 × 5 s clips (768×576, 10 fps). */
  fixture: string[];
  /** 5 s of flat grey in the same format: footage without people, to pad the replay windows. */
  pad: string;
}

export async function prepareClipMedia(): Promise<ClipMedia> {
  const dir = await mkdtemp(join(tmpdir(), 'panoptes-clips-e2e-'));
  const clips = await cutClips(FIXTURE, { outDir: join(dir, 'fixture'), segmentSec: 5 });
  const pad = join(dir, 'pad.mp4');
  await runMedia('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x505050:s=768x576:r=10:d=5', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-y', pad]);
  return { dir, fixture: clips.map((c) => c.path), pad };
}

/** Same video, different bytes (another ETag): a re-upload that is not byte-identical. */
export async function remux(path: string, dir: string): Promise<string> {
  const out = join(dir, `remux_${Date.now()}.mp4`);
  await runMedia('ffmpeg', ['-v', 'error', '-i', path, '-c', 'copy', '-metadata', 'comment=re-uploaded', '-movflags', '+faststart', '-y', out]);
  return out;
}

export const clipsOf = async (cameraId: string) => {
  const r = await api('GET', `/cameras/${cameraId}/clips?from=0&to=${Date.now() + 3_600_000}`);
  if (r.status !== 200) throw new Error(`GET clips: ${r.status} ${r.text}`);
  return r.json.items as Array<{ key: string; startMs: number; uploads: number; dispatchedAt: string | null; inferredAt: string | null; trackedAt: string | null; ignoredAt: string | null; processedFrames: number | null; tracks: Array<{ trackId: number; firstTsMs: number; lastTsMs: number; frames: number }>; error: string | null }>;
};

/** Uploads like a capture agent: one clip after the other, each dispatched before the next (camera order). */
export async function uploadClip(cameraId: string, startMs: number, path: string, opts: { waitDispatch?: boolean; uploads?: number } = {}): Promise<void> {
  const key = `${cameraId}/${startMs}.mp4`;
  await s3().send(new PutObjectCommand({ Bucket: CLIPS_BUCKET, Key: key, Body: await readFile(path), ContentType: 'video/mp4' }));
  if (opts.waitDispatch === false) return;
  await eventually(async () => {
    const c = (await clipsOf(cameraId)).find((x) => x.key === key);
    return c && c.uploads >= (opts.uploads ?? 1) && c.dispatchedAt;
  }, `dispatch of ${key}`, 120_000, 250);
}

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
  status: number;
}

export async function webhookRequests(cameraId: string): Promise<Received[]> {
  const res = await fetch(`${stackInfo().peers.alarmsWebhook}/_requests?path=${encodeURIComponent(`/alarms/${cameraId}`)}`);
  return (await res.json()) as Received[];
}

export async function failWebhook(cameraId: string, failFirst: number): Promise<void> {
  await fetch(`${stackInfo().peers.alarmsWebhook}/_control`, {
    method: 'POST',
    body: JSON.stringify({ path: `/alarms/${cameraId}`, failFirst, status: 500 }),
  });
}

/** Downloads a URL to a temp file and probes it. */
export async function probeUrl(url: string, dir: string): Promise<{ durationSec: number; bytes: number; contentType: string | null }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  const path = join(dir, `dl_${Date.now()}_${Math.random().toString(36).slice(2)}.mp4`);
  await writeFile(path, buf);
  return { durationSec: (await probe(path)).durationSec, bytes: buf.length, contentType: res.headers.get('content-type') };
}

/**
 * Real capture agent processes (`panoptes agent`, one node process with tsx's loader, so that SIGKILL
 * really kills the agent) and the ffmpeg children a SIGKILL leaves behind; `killAll` for afterAll.
 */
export function agentProcesses() {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const procs: ChildProcess[] = [];
  const orphans: number[] = [];
  const childPids = (pid: number): number[] => {
    try {
      return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().split('\n').map(Number).filter((n) => n > 0);
    } catch {
      return [];
    }
  };
  return {
    /** `cameras`: `cameraId=source` pairs. */
    start(id: string, cameras: string[], extra: string[] = []): ChildProcess & { output: () => string } {
      const args = ['--import', 'tsx', 'cli/main.ts', 'agent', '--id', id, '--heartbeat', '2', '--api', stackInfo().httpUrl, '--key', 'local-dev-key', ...extra];
      for (const c of cameras) args.push('--camera', c);
      const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...stackInfo().env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
      child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
      procs.push(child);
      return Object.assign(child, { output: () => out });
    },
    /** Remembers the process's children (ffmpeg) before it is SIGKILLed, for killAll. */
    orphansOf(p: ChildProcess): void {
      orphans.push(...childPids(p.pid!));
    },
    killAll(): void {
      for (const p of procs) {
        if (p.exitCode !== null || p.signalCode !== null) continue;
        orphans.push(...childPids(p.pid!));
        p.kill('SIGKILL');
      }
      for (const pid of orphans) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    },
  };
}

export const stopped = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));

/** A 10 s camera source with a keyframe every 5 s: agents cut it by stream copy (cheap when looping). */
export async function agentSource(dir: string): Promise<string> {
  const source = join(dir, 'camera.mp4');
  await runMedia('ffmpeg', ['-v', 'error', '-i', FIXTURE, '-t', '10', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*5)', '-movflags', '+faststart', '-y', source]);
  return source;
}
