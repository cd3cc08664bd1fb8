/**
 * Builds an alarm's replay (the window cut from the covering clips, joined into one MP4 with moov
 * first) and a snapshot of its start, from clips downloaded to a temp dir.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { s3 } from '../../platform/aws.js';
import { buildReplay, snapshotJpeg } from '../../video/index.js';
import type { ClipIndexItem } from '../store.js';

export interface ReplayMedia {
  replay?: Buffer;
  snapshot?: Buffer;
}

export async function buildAlarmMedia(
  clips: readonly ClipIndexItem[],
  o: { bucket: string; fromMs: number; toMs: number; startedAt: number; snapshotMaxWidth?: number },
): Promise<ReplayMedia> {
  if (!clips.length) return {};
  const dir = await mkdtemp(join(tmpdir(), 'panoptes-replay-'));
  try {
    const local = await Promise.all(clips.map(async (c, i) => {
      const path = join(dir, `clip_${i}.mp4`);
      const obj = await s3().send(new GetObjectCommand({ Bucket: o.bucket, Key: c.key }));
      await pipeline(obj.Body as Readable, createWriteStream(path));
      return { path, startMs: c.startMs, ...(c.durationMs ? { durationMs: c.durationMs } : {}) };
    }));
    const out = join(dir, 'replay.mp4');
    await buildReplay(local, { fromMs: o.fromMs, toMs: o.toMs, outPath: out });
    const replay = await readFile(out);
    // The clip holding the start (or the first one after it, if the start itself is missing).
    const holder = [...local].reverse().find((c) => c.startMs <= o.startedAt) ?? local[0]!;
    const at = Math.max(0, (o.startedAt - holder.startMs) / 1000);
    const snapshot = await snapshotJpeg(holder.path, at, { maxWidth: o.snapshotMaxWidth ?? 1280 })
      .catch(() => snapshotJpeg(holder.path, 0));
    return { replay, snapshot };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
