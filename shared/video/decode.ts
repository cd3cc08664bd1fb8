import { MediaError, prepareInput, spawnMedia, type MediaInput } from './ffmpeg.js';
import { probe } from './probe.js';

export interface RawFrame {
  /** 0-based output frame number. */
  index: number;
  /** Seconds from the start of the clip (index / fps: the fps filter emits a constant-rate timeline). */
  ptsSec: number;
  width: number;
  height: number;
  /** Packed RGB24, width * height * 3 bytes, rows top to bottom. Owned by the consumer. */
  data: Uint8Array;
}

export interface DecodeOptions {
  /** Output frames per second, or 'native' for the source rate. Default 2. */
  fps?: number | 'native';
  /** Downscale (keeping aspect, even dimensions) when the video is wider. Never upscales. */
  maxWidth?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Output size for a source size and maxWidth: even numbers so every pixel format/encoder accepts them. */
export function scaledSize(width: number, height: number, maxWidth?: number): { width: number; height: number } {
  if (!maxWidth || width <= maxWidth) return { width, height };
  const w = Math.max(2, Math.floor(maxWidth / 2) * 2);
  const h = Math.max(2, Math.round((height * w) / width / 2) * 2);
  return { width: w, height: h };
}

/**
 * Decodes video frames to RGB24, streamed from ffmpeg's rawvideo stdout with backpressure (a slow
 * consumer pauses ffmpeg instead of buffering the clip in memory). Breaking out of the loop kills
 * ffmpeg. Costs one ffprobe first: the frame size must be known to split the byte stream.
 */
export async function* decodeFrames(input: MediaInput, opts: DecodeOptions = {}): AsyncGenerator<RawFrame> {
  const info = await probe(input, { signal: opts.signal });
  const fpsOpt = opts.fps ?? 2;
  const fps = fpsOpt === 'native' ? info.fps : fpsOpt;
  if (!Number.isFinite(fps) || fps <= 0) {
    throw new MediaError('INVALID_ARGUMENT', `invalid frame rate ${String(fpsOpt)} (source fps ${info.fps})`);
  }
  const { width, height } = scaledSize(info.width, info.height, opts.maxWidth);
  const frameBytes = width * height * 3;

  const prepared = await prepareInput(input);
  // Explicit scale=W:H (applied after ffmpeg's auto-rotation) pins the output size to what we split
  // on, even if the stream changes resolution midway; fps filter gives an exact CFR timeline.
  const args = [
    '-v', 'error',
    '-i', prepared.arg,
    '-map', '0:v:0',
    '-an', '-sn', '-dn',
    '-vf', `fps=${fps},scale=${width}:${height}`,
    '-f', 'rawvideo', '-pix_fmt', 'rgb24',
    'pipe:1',
  ];
  const proc = spawnMedia('ffmpeg', args, { stdin: prepared.stdin, timeoutMs: opts.timeoutMs, signal: opts.signal });
  let index = 0;
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  try {
    // Chunks don't align with frames (64 KiB pipe reads vs ~1.3 MB frames): copy into the current
    // frame buffer and hand it over when full; the leftover of a chunk starts the next frame.
    for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - off);
        frame.set(chunk.subarray(off, off + n), filled);
        filled += n;
        off += n;
        if (filled === frameBytes) {
          yield { index, ptsSec: index / fps, width, height, data: frame };
          index++;
          frame = new Uint8Array(frameBytes);
          filled = 0;
        }
      }
    }
    await proc.done;
    if (filled !== 0) {
      throw new MediaError('FAILED', `ffmpeg ended mid-frame (${filled}/${frameBytes} bytes)`, { tool: 'ffmpeg', args: proc.args });
    }
  } finally {
    // Early break / consumer error / our own throw: make sure ffmpeg does not linger.
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.kill('ABORTED', 'decode stopped by consumer');
      await proc.done.catch(() => {});
    }
    await prepared.cleanup();
  }
}
