/**
 * Media helper throughput on the 30 s fixture (768×576 H.264 10 fps):
 * decode frames/s at 2 fps and at full rate, cut seconds per 30 s of video, replay build ms.
 * `npx tsx bench/media.ts` prints JSON; bench/run.ts can import benchMedia().
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cutClips } from '../shared/video/clips.js';
import { decodeFrames } from '../shared/video/decode.js';
import { makeTempDir } from '../shared/video/ffmpeg.js';
import { probe } from '../shared/video/probe.js';
import { buildReplay, type ReplayClip } from '../shared/video/replay.js';
import { snapshotJpeg } from '../shared/video/snapshot.js';

const FIXTURE = fileURLToPath(new URL('../test/fixtures/pedestrians_0-30s.mp4', import.meta.url));

export interface MediaBenchResult {
  fixture: { durationSec: number; width: number; height: number; fps: number };
  probeMs: number;
  decode2fps: { frames: number; ms: number; framesPerSec: number; videoSecPerSec: number };
  decodeFull: { frames: number; ms: number; framesPerSec: number; videoSecPerSec: number };
  decodeFull320: { frames: number; ms: number; framesPerSec: number };
  /** Wall seconds to cut 30 s of the fixture into 5 s clips (re-encode: its GOP is 25 s). */
  cutSecPer30s: number;
  cutClips: number;
  /** 30 s replay on clip boundaries (stream copy) and a 10 s window mid-clip (re-encode). */
  replayCopyMs: number;
  replayReencodeMs: number;
  snapshotMs: number;
}

const now = (): number => performance.now();
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

async function timeDecode(opts: Parameters<typeof decodeFrames>[1]): Promise<{ frames: number; ms: number }> {
  const t = now();
  let frames = 0;
  for await (const _ of decodeFrames(FIXTURE, opts)) frames++;
  return { frames, ms: now() - t };
}

export async function benchMedia(): Promise<MediaBenchResult> {
  let t = now();
  const info = await probe(FIXTURE);
  const probeMs = now() - t;

  const d2 = await timeDecode({ fps: 2 });
  const dn = await timeDecode({ fps: 'native' });
  const ds = await timeDecode({ fps: 'native', maxWidth: 320 });

  const dir = await makeTempDir();
  try {
    t = now();
    const clips = await cutClips(FIXTURE, { outDir: join(dir, 'clips') });
    const cutMs = now() - t;

    const T0 = Date.UTC(2025, 0, 1);
    const replayClips: ReplayClip[] = clips.map((c) => ({ path: c.path, startMs: T0 + c.startSec * 1000, durationMs: c.durationSec * 1000 }));
    t = now();
    await buildReplay(replayClips, { fromMs: T0, toMs: T0 + 30_000 });
    const replayCopyMs = now() - t;
    t = now();
    await buildReplay(replayClips, { fromMs: T0 + 12_500, toMs: T0 + 22_500 });
    const replayReencodeMs = now() - t;

    t = now();
    await snapshotJpeg(FIXTURE, 12);
    const snapshotMs = now() - t;

    const videoSec = info.durationSec;
    return {
      fixture: { durationSec: info.durationSec, width: info.width, height: info.height, fps: info.fps },
      probeMs: round(probeMs),
      decode2fps: { frames: d2.frames, ms: round(d2.ms), framesPerSec: round((d2.frames * 1000) / d2.ms), videoSecPerSec: round((videoSec * 1000) / d2.ms) },
      decodeFull: { frames: dn.frames, ms: round(dn.ms), framesPerSec: round((dn.frames * 1000) / dn.ms), videoSecPerSec: round((videoSec * 1000) / dn.ms) },
      decodeFull320: { frames: ds.frames, ms: round(ds.ms), framesPerSec: round((ds.frames * 1000) / ds.ms) },
      cutSecPer30s: round(((cutMs / 1000) * 30) / videoSec, 2),
      cutClips: clips.length,
      replayCopyMs: round(replayCopyMs),
      replayReencodeMs: round(replayReencodeMs),
      snapshotMs: round(snapshotMs),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchMedia(), null, 2));
}
