import { MediaError, prepareInput, runMedia, secArg, type MediaInput } from './ffmpeg.js';

export interface SnapshotOptions {
  /** Downscale when wider (keeps aspect). */
  maxWidth?: number;
  /** mjpeg qscale, 2 (best) .. 31. Default 3. */
  quality?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** One JPEG of the frame at `atSec` (seconds from the start). NO_OUTPUT if atSec is past the end. */
export async function snapshotJpeg(input: MediaInput, atSec: number, opts: SnapshotOptions = {}): Promise<Buffer> {
  if (!Number.isFinite(atSec) || atSec < 0) throw new MediaError('INVALID_ARGUMENT', `invalid snapshot time ${atSec}`);
  const prepared = await prepareInput(input);
  try {
    // A seekable file gets input-side -ss (jump to the keyframe before, then decode-and-drop up to
    // atSec: accurate and fast); a pipe can't seek, so there -ss goes after -i (decode from the start).
    const seek = ['-ss', secArg(atSec)];
    const args = [
      '-v', 'error',
      ...(prepared.seekable ? seek : []),
      '-i', prepared.arg,
      ...(prepared.seekable ? [] : seek),
      '-map', '0:v:0', '-frames:v', '1', '-an',
    ];
    if (opts.maxWidth) {
      // An expression rather than a probe: down to maxWidth only if wider, height even and proportional.
      args.push('-vf', `scale='min(iw,${Math.floor(opts.maxWidth / 2) * 2})':-2`);
    }
    args.push('-q:v', String(opts.quality ?? 3), '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1');
    const { stdout } = await runMedia('ffmpeg', args, {
      stdin: prepared.stdin,
      timeoutMs: opts.timeoutMs ?? 30_000,
      signal: opts.signal,
      maxStdoutBytes: 64 << 20,
    });
    if (stdout.length < 4 || stdout[0] !== 0xff || stdout[1] !== 0xd8) {
      throw new MediaError('NO_OUTPUT', `no frame at ${atSec}s (past the end?)`, { tool: 'ffmpeg', args });
    }
    return stdout;
  } finally {
    await prepared.cleanup();
  }
}
