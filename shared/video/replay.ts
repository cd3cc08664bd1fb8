import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  MediaError,
  makeTempDir,
  needsSeekableInput,
  runMedia,
  secArg,
  type FeedSource,
} from './ffmpeg.js';
import { probe } from './probe.js';

export type ReplayClip = ({ path: string; buffer?: never } | { buffer: Uint8Array; path?: never }) & {
  /** Wall-clock (epoch ms) of the clip's first frame. */
  startMs: number;
  /** Known length (skips an ffprobe per clip). */
  durationMs?: number;
};

export interface ReplayWindow {
  fromMs: number;
  toMs: number;
  /**
   * true (default): cut exactly at fromMs/toMs, re-encoding unless both fall on clip boundaries.
   * false: never re-encode; widen the window to whole clips (fast, up to a clip longer each side).
   */
  accurate?: boolean;
}

export interface ReplayOptions extends ReplayWindow {
  /** Write here instead of returning a Buffer. */
  outPath?: string;
  /** libx264 preset when re-encoding. Default veryfast. */
  preset?: string;
  crf?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ReplayPlan {
  /** Clips used, in order, with their span in the joined timeline. */
  segments: Array<{
    clip: ReplayClip;
    startMs: number;
    endMs: number;
    durationMs: number;
    /** Length used: less than durationMs when the next clip overlaps this one (cut via outpoint). */
    usedMs: number;
  }>;
  /** Wall-clock window the output actually shows (clamped to available footage / widened to clips). */
  startMs: number;
  endMs: number;
  /** Trim points relative to the first used clip's start, in the joined timeline. */
  trimStartSec: number;
  trimEndSec: number;
  /** Footage missing inside the window (gaps between clips), ms. */
  missingMs: number;
  reencode: boolean;
  /** Joined output's expected length. */
  durationSec: number;
}

// Cut points this close to a clip boundary count as on it (about one frame at camera rates).
const ALIGN_MS = 60;

/**
 * Chooses the clips covering [fromMs, toMs] and how to cut them. Probes clips whose durationMs is
 * unknown. Gaps between clips are skipped (the replay is shorter), overlaps are trimmed.
 */
export async function planReplay(clips: readonly ReplayClip[], win: ReplayWindow & { signal?: AbortSignal }): Promise<ReplayPlan> {
  const { fromMs, toMs } = win;
  if (!(toMs > fromMs)) throw new MediaError('INVALID_ARGUMENT', `empty replay window ${fromMs}..${toMs}`);
  const sorted = [...clips].sort((a, b) => a.startMs - b.startMs);
  // Only clips that can overlap need their duration; a clip starting after toMs can't.
  const candidates = sorted.filter((c) => c.startMs < toMs);
  const durations = await Promise.all(
    candidates.map(async (c) => c.durationMs ?? (await probe(c.path ?? c.buffer!, { signal: win.signal })).durationSec * 1000),
  );
  const spans = candidates.map((clip, i) => {
    const next = candidates[i + 1];
    const dur = durations[i]!;
    const endMs = clip.startMs + (Number.isFinite(dur) ? dur : 0);
    return {
      clip,
      startMs: clip.startMs,
      durationMs: endMs - clip.startMs,
      endMs: next ? Math.min(endMs, Math.max(next.startMs, clip.startMs)) : endMs,
    };
  });
  const used = spans.filter((s) => s.endMs > s.startMs && s.endMs > fromMs && s.startMs < toMs);
  if (used.length === 0) throw new MediaError('INVALID_ARGUMENT', `no clip covers ${new Date(fromMs).toISOString()}..${new Date(toMs).toISOString()}`);

  const first = used[0]!;
  const last = used[used.length - 1]!;
  let startMs = Math.max(fromMs, first.startMs);
  let endMs = Math.min(toMs, last.endMs);
  const accurate = win.accurate ?? true;
  if (!accurate) {
    startMs = first.startMs;
    endMs = last.endMs;
  }

  // Map wall-clock into the joined timeline (gaps collapse, so subtract what's missing before).
  let offset = 0;
  let trimStartSec = 0;
  let trimEndSec = 0;
  let missingMs = 0;
  const segments: ReplayPlan['segments'] = [];
  for (const [i, s] of used.entries()) {
    if (i > 0) missingMs += Math.max(0, s.startMs - used[i - 1]!.endMs);
    const usedMs = s.endMs - s.startMs;
    if (startMs >= s.startMs && startMs < s.endMs) trimStartSec = (offset + startMs - s.startMs) / 1000;
    if (endMs > s.startMs && endMs <= s.endMs) trimEndSec = (offset + endMs - s.startMs) / 1000;
    segments.push({ clip: s.clip, startMs: s.startMs, endMs: s.endMs, durationMs: s.durationMs, usedMs });
    offset += usedMs;
  }
  const totalSec = offset / 1000;
  const trimmedHead = trimStartSec * 1000 > ALIGN_MS;
  const trimmedTail = totalSec * 1000 - trimEndSec * 1000 > ALIGN_MS;
  const reencode = accurate && (trimmedHead || trimmedTail);
  if (!reencode) {
    trimStartSec = 0;
    trimEndSec = totalSec;
  }
  return {
    segments,
    startMs,
    endMs,
    trimStartSec,
    trimEndSec,
    missingMs,
    reencode,
    durationSec: trimEndSec - trimStartSec,
  };
}

/** Quotes a path for an ffconcat `file` line. */
const concatQuote = (p: string): string => `'${p.replace(/'/g, "'\\''")}'`;

/**
 * Joins the clips covering [fromMs, toMs] into one MP4 with +faststart (moov first, so browsers
 * start playing at once). Concat demuxer over the clips (paths as-is; buffers piped on fds 3+,
 * spilled to temp files only if their moov is at the end), then -ss/-to on the joined timeline.
 * Stream copy when the window falls on clip boundaries (or accurate: false), else libx264.
 * The output file itself always goes through a temp file: +faststart rewrites it, which a pipe can't.
 */
export function buildReplay(clips: readonly ReplayClip[], opts: ReplayOptions & { outPath: string }): Promise<string>;
export function buildReplay(clips: readonly ReplayClip[], opts: ReplayOptions & { outPath?: undefined }): Promise<Buffer>;
export async function buildReplay(clips: readonly ReplayClip[], opts: ReplayOptions): Promise<Buffer | string> {
  const plan = await planReplay(clips, opts);
  const tmp = await makeTempDir();
  try {
    const fds: FeedSource[] = [];
    const lines = ['ffconcat version 1.0'];
    for (const [i, seg] of plan.segments.entries()) {
      const { clip } = seg;
      let url: string;
      if (clip.path !== undefined) url = resolve(clip.path);
      else if (needsSeekableInput(clip.buffer)) {
        url = join(tmp, `in_${i}.mp4`);
        await writeFile(url, clip.buffer);
      } else {
        fds.push(clip.buffer);
        url = `pipe:${2 + fds.length}`;
      }
      lines.push(`file ${concatQuote(url)}`);
      // An overlapped clip stops where the next one starts (else the overlap plays twice). Works with
      // stream copy too: the dropped tail needs no keyframe, the next clip starts with one.
      if (seg.usedMs + ALIGN_MS < seg.durationMs) lines.push(`outpoint ${secArg(seg.usedMs / 1000)}`);
    }
    const out = opts.outPath ? resolve(opts.outPath) : join(tmp, 'replay.mp4');
    if (opts.outPath) await mkdir(dirname(out), { recursive: true });
    const args = [
      '-v', 'error',
      // -safe 0: absolute paths; the whitelist lets the list (on stdin) reference files and pipes.
      '-f', 'concat', '-safe', '0', '-protocol_whitelist', 'file,pipe',
      '-i', 'pipe:0',
      '-map', '0:v:0', '-map', '0:a:0?',
    ];
    if (plan.reencode) {
      // Output-side -ss/-to: decode from the first clip's start and drop frames before the cut, which
      // is frame-accurate (the first clip is at most one clip of wasted decoding).
      args.push(
        '-ss', secArg(plan.trimStartSec),
        '-to', secArg(plan.trimEndSec),
        '-c:v', 'libx264', '-preset', opts.preset ?? 'veryfast', '-crf', String(opts.crf ?? 23),
        '-pix_fmt', 'yuv420p', '-bf', '0',
        '-c:a', 'aac',
      );
    } else {
      args.push('-c', 'copy');
    }
    args.push('-movflags', '+faststart', '-f', 'mp4', '-y', out);
    await runMedia('ffmpeg', args, {
      stdin: Buffer.from(lines.join('\n') + '\n'),
      fds,
      timeoutMs: opts.timeoutMs ?? 120_000,
      signal: opts.signal,
    });
    if (opts.outPath) return out;
    const data = await readFile(out);
    if (data.length === 0) throw new MediaError('NO_OUTPUT', 'replay came out empty', { tool: 'ffmpeg', args });
    return data;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
