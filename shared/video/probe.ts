import { MediaError, parseRational, prepareInput, runMedia, type MediaInput } from './ffmpeg.js';

export interface ProbeResult {
  /** Container duration; falls back to the video stream's; NaN when neither is known (raw streams). */
  durationSec: number;
  /** Displayed size, i.e. after applying rotation metadata (what decodeFrames/snapshotJpeg produce). */
  width: number;
  height: number;
  /** Video codec, e.g. "h264". */
  codec: string;
  /** Average frame rate (r_frame_rate when the average is unknown); NaN if neither is known. */
  fps: number;
  /** ffmpeg demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  formatName: string;
  /** First timestamp of the container (usually 0 for files). */
  startSec: number;
  /** Clockwise rotation from metadata, 0/90/180/270. */
  rotation: number;
  pixelFormat?: string;
  frameCount?: number;
  bitRate?: number;
  hasAudio: boolean;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  tags?: Record<string, string>;
  side_data_list?: Array<{ rotation?: number | string }>;
}
interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; start_time?: string; bit_rate?: string };
}

const num = (v: string | number | undefined): number | undefined => {
  const n = typeof v === 'number' ? v : v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Describes a media file/buffer with ffprobe (headers only; a Buffer is piped, never spilled). */
export async function probe(
  input: MediaInput,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  const prepared = await prepareInput(input, { pipeOnly: true });
  let out: FfprobeOutput;
  try {
    const { stdout } = await runMedia(
      'ffprobe',
      ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', prepared.arg],
      { stdin: prepared.stdin, timeoutMs: opts.timeoutMs ?? 20_000, signal: opts.signal, maxStdoutBytes: 8 << 20 },
    );
    out = JSON.parse(stdout.toString('utf8')) as FfprobeOutput;
  } catch (err) {
    if (err instanceof SyntaxError) throw new MediaError('FAILED', `ffprobe printed invalid JSON: ${err.message}`, { tool: 'ffprobe' });
    throw err;
  } finally {
    await prepared.cleanup();
  }
  return parseProbe(out);
}

export function parseProbe(out: FfprobeOutput): ProbeResult {
  const streams = out.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && s.width && s.height);
  if (!video) {
    throw new MediaError(streams.length ? 'NO_VIDEO' : 'INVALID_INPUT', streams.length ? 'input has no video stream' : 'input has no streams', {
      tool: 'ffprobe',
    });
  }
  // Old muxers write a "rotate" tag, newer ffprobe reports a display-matrix side data (counter-
  // clockwise degrees, hence the sign flip).
  const sideRotation = num(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation);
  const rawRotation = num(video.tags?.rotate) ?? (sideRotation === undefined ? 0 : -sideRotation);
  const rotation = (((Math.round(rawRotation / 90) * 90) % 360) + 360) % 360;
  const swap = rotation === 90 || rotation === 270;
  const fps = parseRational(video.avg_frame_rate) ?? parseRational(video.r_frame_rate) ?? NaN;
  const result: ProbeResult = {
    durationSec: num(out.format?.duration) ?? num(video.duration) ?? NaN,
    width: swap ? video.height! : video.width!,
    height: swap ? video.width! : video.height!,
    codec: video.codec_name ?? 'unknown',
    fps,
    formatName: out.format?.format_name ?? 'unknown',
    startSec: num(out.format?.start_time) ?? 0,
    rotation,
    hasAudio: streams.some((s) => s.codec_type === 'audio'),
  };
  if (video.pix_fmt) result.pixelFormat = video.pix_fmt;
  const frames = num(video.nb_frames);
  if (frames !== undefined) result.frameCount = frames;
  const bitRate = num(out.format?.bit_rate);
  if (bitRate !== undefined) result.bitRate = bitRate;
  return result;
}
