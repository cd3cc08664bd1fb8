import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  MediaError,
  isUrl,
  makeTempDir,
  runMedia,
  secArg,
  spawnMedia,
  type MediaProcess,
} from './ffmpeg.js';
import { probe } from './probe.js';

export interface ClipInfo {
  index: number;
  /** Absolute path of the closed MP4 (moov first, so it can be piped/streamed). */
  path: string;
  /** Position in the source timeline (seconds since ffmpeg started reading). */
  startSec: number;
  endSec: number;
  durationSec: number;
  /** Wall clock (epoch ms) when ffmpeg closed the clip; for live sources the clip ended ~then. */
  closedAtMs: number;
}

export type CutCodec = 'auto' | 'copy' | 'reencode';

export interface CutClipsOptions {
  /** Target clip length. Default 5. */
  segmentSec?: number;
  /** Where clips are written (kept). Without it clips go to a temp dir and are deleted after onClip. */
  outDir?: string;
  /**
   * Called once per clip as soon as ffmpeg closes it (before the next one is done), in order, one at a
   * time; ffmpeg keeps recording meanwhile. Without outDir the file only exists during the call.
   * A rejection stops ffmpeg and rejects cutClips.
   */
  onClip?: (clip: ClipInfo) => void | Promise<void>;
  /** File name prefix; clips are `${prefix}00000.mp4`, ... Default "clip_". */
  filenamePrefix?: string;
  /**
   * 'copy' keeps the source bitstream (cuts only land on keyframes); 'reencode' uses libx264 with
   * forced keyframes at every boundary (exact cuts); 'auto' copies when the source keyframes already
   * sit on the boundaries (checked with ffprobe for files; live URLs always copy, re-encoding a
   * camera stream costs a CPU core). Default 'auto'.
   */
  codec?: CutCodec;
  /** Loop a file input forever (-stream_loop -1): a simulated camera. Pair with realtime/maxDurationSec. */
  loop?: boolean;
  /** Read the input at its native rate (-re), as a camera would deliver it. */
  realtime?: boolean;
  /** Stop after this much source time (-t). */
  maxDurationSec?: number;
  /** RTSP transport; TCP by default (UDP loses packets behind NAT/over Wi-Fi and yields broken clips). */
  rtspTransport?: 'tcp' | 'udp';
  /** Keep audio (AAC). Default false: the pipeline only uses video and camera audio (G.711) can't go in MP4 as-is. */
  audio?: boolean;
  /** libx264 preset / CRF for 'reencode'. Defaults veryfast / 23. */
  preset?: string;
  crf?: number;
  /**
   * Kill ffmpeg (MediaError TIMEOUT) when no clip closed for this long. Defaults to 3 segments + 10 s
   * for live sources (URL, loop or realtime), which is how a stalled camera connection shows up
   * (ffmpeg's own RTSP socket-timeout flag changed name and meaning across versions); off for files.
   */
  stallTimeoutMs?: number;
  /** Overall limit. Default 10 min for files, none for live sources. */
  timeoutMs?: number;
  /** Abort: kill ffmpeg and reject with MediaError ABORTED. */
  signal?: AbortSignal;
  /** Graceful stop (live agent shutdown): ffmpeg closes the current clip, which is emitted, then cutClips resolves. */
  stopSignal?: AbortSignal;
}

const isLive = (input: string, o: CutClipsOptions): boolean => isUrl(input) || !!o.loop || !!o.realtime;

/**
 * Keyframe times of the first video stream (packet flags, no decoding: fast even for long files).
 */
export async function keyframeTimes(input: string, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<number[]> {
  const { stdout } = await runMedia(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', '-i', input],
    { signal: opts.signal, timeoutMs: opts.timeoutMs ?? 60_000, maxStdoutBytes: 64 << 20 },
  );
  const times: number[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    const [t, flags] = line.split(',');
    if (flags?.includes('K') && t && t !== 'N/A') times.push(Number(t));
  }
  return times.sort((a, b) => a - b);
}

/**
 * Whether stream copy would cut at every k*segmentSec boundary (within `toleranceSec`). With a loop,
 * the file must also be a whole number of segments long, or later loops would shift the phase.
 */
export function keyframesAllowCopy(
  keyframes: readonly number[],
  durationSec: number,
  segmentSec: number,
  toleranceSec: number,
  loop = false,
): boolean {
  if (!Number.isFinite(durationSec) || keyframes.length === 0) return false;
  if (loop) {
    const rem = durationSec % segmentSec;
    if (Math.min(rem, segmentSec - rem) > toleranceSec) return false;
  }
  for (let b = 0; b < durationSec - toleranceSec; b += segmentSec) {
    if (!keyframes.some((k) => Math.abs(k - b) <= toleranceSec)) return false;
  }
  return true;
}

/** The ffmpeg argv for a cut; exported so argument building (RTSP etc.) is testable without a camera. */
export function buildCutArgs(
  input: string,
  o: CutClipsOptions & { codec: 'copy' | 'reencode'; outDir: string; fps?: number; live?: boolean },
): string[] {
  const segmentSec = o.segmentSec ?? 5;
  const pre: string[] = [];
  if (/^rtsps?:\/\//i.test(input)) pre.push('-rtsp_transport', o.rtspTransport ?? 'tcp');
  if (o.loop) pre.push('-stream_loop', '-1');
  if (o.realtime) pre.push('-re');
  const out: string[] = ['-map', '0:v:0'];
  if (o.audio) out.push('-map', '0:a:0?');
  if (o.maxDurationSec !== undefined) out.push('-t', secArg(o.maxDurationSec));
  if (o.codec === 'copy') {
    out.push('-c:v', 'copy');
  } else {
    out.push(
      '-c:v', 'libx264',
      '-preset', o.preset ?? 'veryfast',
      '-crf', String(o.crf ?? 23),
      '-pix_fmt', 'yuv420p',
      // No B-frames: otherwise the encoder delay shifts the first clip to start at 2 frames in.
      '-bf', '0',
      '-force_key_frames', `expr:gte(t,n_forced*${segmentSec})`,
      // A clip closes when the first packet of the next one reaches the muxer; x264's lookahead
      // and frame threads would hold that back ~1 s on a live source.
      ...(o.live ? ['-tune', 'zerolatency'] : []),
    );
  }
  out.push(...(o.audio ? ['-c:a', 'aac', '-b:a', '64k'] : ['-an']), '-sn', '-dn');
  // force_key_frames can land a keyframe just before the boundary after rounding; the segment muxer
  // then needs this slack to cut there (ffmpeg docs recommend half a frame).
  const delta = o.fps && Number.isFinite(o.fps) ? 1 / (2 * o.fps) : 0.05;
  out.push(
    '-f', 'segment',
    '-segment_time', String(segmentSec),
    '-segment_time_delta', secArg(delta),
    '-reset_timestamps', '1',
    '-segment_format', 'mp4',
    // moov first: clips can be piped to ffmpeg later and start playing before fully downloaded.
    '-segment_format_options', 'movflags=+faststart',
    // The list is written line by line as each clip is closed: that is our "clip ready" event.
    '-segment_list', 'pipe:3',
    '-segment_list_type', 'csv',
    join(o.outDir, `${o.filenamePrefix ?? 'clip_'}%05d.mp4`),
  );
  return ['-v', 'error', ...pre, '-i', input, ...out];
}

/** One CSV entry of the segment list: `name,start,end` (the name is quoted if it needs to be). */
export function parseSegmentListLine(line: string): { name: string; startSec: number; endSec: number } | undefined {
  const m = /^(?:"((?:[^"]|"")*)"|([^,]*)),([^,]+),([^,]+)$/.exec(line.trim());
  if (!m) return undefined;
  const name = m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!;
  const startSec = Number(m[3]);
  const endSec = Number(m[4]);
  return Number.isFinite(startSec) && Number.isFinite(endSec) ? { name, startSec, endSec } : undefined;
}

/**
 * Cuts a file, looping file or camera URL into `segmentSec` MP4 clips with ffmpeg's segment muxer.
 * Each clip is reported (onClip) as soon as it's closed; resolves with all clips when the input ends
 * (or after `stopSignal`). Without outDir the returned paths no longer exist (temp dir removed).
 */
export async function cutClips(input: string, opts: CutClipsOptions = {}): Promise<ClipInfo[]> {
  const segmentSec = opts.segmentSec ?? 5;
  if (!(segmentSec > 0)) throw new MediaError('INVALID_ARGUMENT', `segmentSec must be > 0, got ${segmentSec}`);
  if (!input) throw new MediaError('INVALID_ARGUMENT', 'empty input');
  const live = isLive(input, opts);

  let codec: 'copy' | 'reencode';
  let fps: number | undefined;
  if (!isUrl(input)) {
    // Also validates the input early with a clear error instead of a segment-muxer one.
    const info = await probe(input, { signal: opts.signal });
    fps = info.fps;
    if (opts.codec === 'copy' || opts.codec === 'reencode') codec = opts.codec;
    else {
      const tolerance = Number.isFinite(fps) ? 1 / (2 * fps) : 0.05;
      const copyable = ['h264', 'hevc'].includes(info.codec);
      codec =
        copyable &&
        keyframesAllowCopy(await keyframeTimes(input, { signal: opts.signal }), info.durationSec, segmentSec, tolerance, opts.loop)
          ? 'copy'
          : 'reencode';
    }
  } else {
    codec = opts.codec === 'reencode' ? 'reencode' : 'copy';
  }

  const ownDir = opts.outDir === undefined;
  const outDir = ownDir ? await makeTempDir() : resolve(opts.outDir!);
  if (!ownDir) await mkdir(outDir, { recursive: true });

  const args = buildCutArgs(input, { ...opts, codec, outDir, fps, live });
  const stallMs = opts.stallTimeoutMs ?? (live ? (3 * segmentSec + 10) * 1000 : undefined);
  const totalMs = opts.timeoutMs ?? (live ? undefined : 10 * 60_000);
  let proc: MediaProcess;
  try {
    // The helper's timer is the stall watchdog (re-armed per clip); the overall limit is ours.
    proc = spawnMedia('ffmpeg', args, { fds: ['read'], timeoutMs: stallMs, signal: opts.signal, killGraceMs: 5000 });
  } catch (err) {
    if (ownDir) await rm(outDir, { recursive: true, force: true });
    throw err;
  }
  proc.stdout.resume(); // nothing comes out there, but an unread pipe would hold back 'close'
  const overall = totalMs ? setTimeout(() => proc.kill('TIMEOUT', `cutting timed out after ${totalMs} ms`), totalMs) : undefined;
  overall?.unref();
  const onStop = (): void => proc.stop();
  if (opts.stopSignal?.aborted) proc.stop();
  else opts.stopSignal?.addEventListener('abort', onStop, { once: true });

  const clips: ClipInfo[] = [];
  let callbackError: unknown;
  // Serialises onClip calls (uploads) without holding up ffmpeg.
  let chain: Promise<void> = Promise.resolve();
  const emit = (clip: ClipInfo): void => {
    chain = chain.then(async () => {
      if (callbackError !== undefined) return;
      try {
        await opts.onClip?.(clip);
      } catch (err) {
        callbackError = err;
        proc.kill('ABORTED', 'onClip failed');
      } finally {
        if (ownDir) await rm(clip.path, { force: true });
      }
    });
  };

  const lines = createInterface({ input: proc.fds[3]!, crlfDelay: Infinity });
  const listDone = (async () => {
    for await (const line of lines) {
      const entry = parseSegmentListLine(line);
      // After an abort/timeout ffmpeg still closes the partial clip on SIGTERM: don't hand that out.
      if (!entry || proc.killed()) continue;
      // ffmpeg writes the entry right after the clip's trailer is flushed (before the next clip
      // fills up), so the file is complete now.
      const clip: ClipInfo = {
        index: clips.length,
        path: isAbsolute(entry.name) ? entry.name : join(outDir, entry.name),
        startSec: entry.startSec,
        endSec: entry.endSec,
        durationSec: entry.endSec - entry.startSec,
        closedAtMs: Date.now(),
      };
      clips.push(clip);
      if (stallMs) proc.touch();
      emit(clip);
    }
  })();

  try {
    await Promise.all([proc.done, listDone]);
    await chain;
    if (callbackError !== undefined) throw callbackError;
    return clips;
  } catch (err) {
    await chain.catch(() => {});
    throw callbackError ?? err;
  } finally {
    clearTimeout(overall);
    opts.stopSignal?.removeEventListener('abort', onStop);
    if (ownDir) await rm(outDir, { recursive: true, force: true });
  }
}
