/**
 * ffmpeg / ffprobe binary resolution and one spawn helper every media function goes through.
 *
 * Rules the helper enforces so callers don't have to: never a shell (argument arrays only), stderr
 * kept as a bounded tail (ffmpeg can log megabytes on a long run), failures surface as MediaError
 * carrying ffmpeg's last stderr lines, and a timeout / AbortSignal always ends the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export type MediaTool = 'ffmpeg' | 'ffprobe';

const resolved = new Map<MediaTool, string>();

/**
 * Path of the ffmpeg / ffprobe binary. FFMPEG_PATH / FFPROBE_PATH win (the Lambda container image
 * puts binaries at fixed paths and may not ship the installer packages at all); otherwise the npm
 * installer packages. Those are required lazily because their index.js throws on a platform without
 * a prebuilt binary, which must not break importing this module when the env override is set.
 */
export function toolPath(tool: MediaTool): string {
  const fromEnv = process.env[tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'];
  if (fromEnv) return fromEnv;
  const cached = resolved.get(tool);
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = (require(tool === 'ffmpeg' ? '@ffmpeg-installer/ffmpeg' : '@ffprobe-installer/ffprobe') as { path: string })
      .path;
  } catch (err) {
    // The installer throws plain strings, so normalise into a MediaError naming the override.
    throw new MediaError('SPAWN_FAILED', `cannot locate ${tool}: ${String(err)}; set ${tool.toUpperCase()}_PATH`, {
      tool,
    });
  }
  resolved.set(tool, path);
  return path;
}

export const ffmpegPath = (): string => toolPath('ffmpeg');
export const ffprobePath = (): string => toolPath('ffprobe');

export type MediaErrorCode =
  /** Binary missing / not executable. */
  | 'SPAWN_FAILED'
  /** ffmpeg rejected the input (corrupt, truncated, not media). Retrying won't help. */
  | 'INVALID_INPUT'
  /** Input is media but has no video stream. */
  | 'NO_VIDEO'
  /** Non-zero exit for another reason. */
  | 'FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  /** ffmpeg succeeded but produced nothing usable (e.g. snapshot past the end). */
  | 'NO_OUTPUT'
  /** Output exceeded the caller's byte limit. */
  | 'OUTPUT_TOO_LARGE'
  /** Caller error: bad options, window not covered by clips, ... */
  | 'INVALID_ARGUMENT';

export class MediaError extends Error {
  readonly code: MediaErrorCode;
  readonly tool?: MediaTool;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Last stderr lines of the tool (bounded), the part that explains the failure. */
  readonly stderrTail: string;
  /** argv for logs; Buffers are never in it, only pipe:N references. */
  readonly args: readonly string[];

  constructor(
    code: MediaErrorCode,
    message: string,
    extra: {
      tool?: MediaTool;
      exitCode?: number | null;
      signal?: NodeJS.Signals | null;
      stderrTail?: string;
      args?: readonly string[];
      cause?: unknown;
    } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'MediaError';
    this.code = code;
    this.tool = extra.tool;
    this.exitCode = extra.exitCode ?? null;
    this.signal = extra.signal ?? null;
    this.stderrTail = extra.stderrTail ?? '';
    this.args = extra.args ?? [];
  }
}

export const isMediaError = (err: unknown, code?: MediaErrorCode): err is MediaError =>
  err instanceof MediaError && (code === undefined || err.code === code);

/**
 * Failures that the same input gives again: not media, no video in it, nothing usable out of it, or
 * options ffmpeg refuses. Consumers record these and move on instead of retrying; the rest (spawn,
 * timeout, abort, other exits) are retried.
 */
export const PERMANENT_MEDIA_ERRORS: readonly MediaErrorCode[] = ['INVALID_INPUT', 'NO_VIDEO', 'NO_OUTPUT', 'INVALID_ARGUMENT'];
export const isPermanentMediaError = (err: unknown): err is MediaError => err instanceof MediaError && PERMANENT_MEDIA_ERRORS.includes(err.code);

/** Keeps the last `maxLines` lines (and at most `maxBytes` in total) of a stream of text. */
export class StderrTail {
  private lines: string[] = [];
  private partial = '';
  private bytes = 0;
  constructor(
    private readonly maxLines = 40,
    private readonly maxBytes = 16 * 1024,
  ) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? '';
    // A pathological line without newline must not grow forever either.
    if (this.partial.length > this.maxBytes) this.partial = this.partial.slice(-this.maxBytes);
    for (const line of parts) {
      if (!line.trim()) continue;
      this.lines.push(line);
      this.bytes += line.length;
    }
    while (this.lines.length > this.maxLines || (this.bytes > this.maxBytes && this.lines.length > 1)) {
      this.bytes -= this.lines.shift()!.length;
    }
  }

  toString(): string {
    return [...this.lines, ...(this.partial.trim() ? [this.partial] : [])].join('\n');
  }
}

// Messages ffmpeg/ffprobe print when the bytes are not decodable media; used to tell "bad input"
// (don't retry, dead-letter) from "ffmpeg broke" (maybe retry).
const INVALID_INPUT_PATTERNS = [
  /Invalid data found when processing input/i,
  /moov atom not found/i,
  /partial file/i,
  /could not find codec parameters/i,
  /Invalid NAL unit size/i,
  /No such file or directory/i,
  /Unknown input format/i,
  /does not contain any stream/i,
  /Stream map '.*' matches no streams/i,
];

export function classifyFailure(stderr: string): MediaErrorCode {
  if (/matches no streams|does not contain any stream/i.test(stderr) && /0:v/.test(stderr)) return 'NO_VIDEO';
  return INVALID_INPUT_PATTERNS.some((re) => re.test(stderr)) ? 'INVALID_INPUT' : 'FAILED';
}

/** Data fed to a child's input fd. Buffers are written whole; Readables are piped. */
export type FeedSource = Uint8Array | Readable;

export interface SpawnMediaOptions {
  /** Fed to fd 0 (use `pipe:0` as the input). Without it stdin is /dev/null. */
  stdin?: FeedSource;
  /**
   * Extra fds from 3 upwards: a FeedSource is written to the child (ffmpeg reads `pipe:N`); 'read'
   * exposes what the child writes there (e.g. a segment list) as proc.fds[N].
   */
  fds?: Array<FeedSource | 'read'>;
  /** Kill after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Grace between SIGTERM (ffmpeg closes outputs cleanly on it) and SIGKILL. */
  killGraceMs?: number;
  stderrLines?: number;
}

export interface MediaProcess {
  readonly child: ChildProcess;
  readonly stdout: Readable;
  /** Readable ends for fds declared 'read', indexed by fd number. */
  readonly fds: Record<number, Readable>;
  readonly args: readonly string[];
  /** Resolves on a clean exit (or after stop()); rejects with MediaError otherwise. */
  readonly done: Promise<void>;
  /** Current stderr tail. */
  stderr(): string;
  /** Terminate and make `done` reject with this code. */
  kill(code?: MediaErrorCode, message?: string): void;
  /** Ask ffmpeg to finish cleanly (SIGTERM: it closes the current output); `done` then resolves. */
  stop(): void;
  /** Re-arm the timeout (watchdogs for live sources call this on progress). */
  touch(): void;
  /** True once kill() was called (timeout, abort or caller); output after that is not trustworthy. */
  killed(): boolean;
}

/**
 * Spawns ffmpeg/ffprobe with the given argv (no shell). Always prefixes `-hide_banner`; for ffmpeg
 * also `-nostdin` so that a stdin we don't feed is never read as interactive commands.
 * The caller must consume stdout (or the child stalls on a full pipe) and await `done`.
 */
export function spawnMedia(tool: MediaTool, args: readonly string[], opts: SpawnMediaOptions = {}): MediaProcess {
  const fullArgs = tool === 'ffmpeg' ? ['-hide_banner', '-nostdin', ...args] : ['-hide_banner', ...args];
  const extra = opts.fds ?? [];
  const tail = new StderrTail(opts.stderrLines);

  let failure: MediaError | undefined;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  // Throws synchronously (MediaError SPAWN_FAILED from toolPath, or bad arguments); a missing or
  // non-executable binary arrives later as an 'error' event and rejects `done`.
  const child: ChildProcess = spawn(toolPath(tool), fullArgs, {
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...extra.map(() => 'pipe' as const)],
    windowsHide: true,
  });

  const signalChild = (sig: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  const terminate = (): void => {
    signalChild('SIGTERM');
    killTimer ??= setTimeout(() => signalChild('SIGKILL'), opts.killGraceMs ?? 2000);
    killTimer.unref();
  };
  const kill = (code: MediaErrorCode = 'ABORTED', message?: string): void => {
    failure ??= new MediaError(code, message ?? `${tool} ${code === 'TIMEOUT' ? 'timed out' : 'was aborted'}`, {
      tool,
      args: fullArgs,
      stderrTail: tail.toString(),
    });
    terminate();
  };
  const touch = (): void => {
    if (!opts.timeoutMs) return;
    clearTimeout(timer);
    timer = setTimeout(() => kill('TIMEOUT', `${tool} timed out after ${opts.timeoutMs} ms`), opts.timeoutMs);
    timer.unref();
  };
  touch();

  const onAbort = (): void => kill('ABORTED');
  if (opts.signal?.aborted) queueMicrotask(onAbort);
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => tail.push(s));

  // Inputs: the child may exit (or stop reading, e.g. `-frames:v 1`) before consuming everything,
  // so EPIPE/ECONNRESET on our side are expected and swallowed; the exit status tells the truth.
  const writables: Writable[] = [];
  const feed = (w: Writable | null, src: FeedSource): void => {
    if (!w) return;
    writables.push(w);
    w.on('error', () => {});
    if (src instanceof Uint8Array) w.end(src);
    else {
      src.on('error', (err) => kill('FAILED', `input stream failed: ${err.message}`));
      src.pipe(w);
    }
  };
  if (opts.stdin) feed(child.stdin, opts.stdin);
  const fds: Record<number, Readable> = {};
  extra.forEach((spec, i) => {
    const stream = child.stdio[i + 3] as Readable & Writable;
    if (spec === 'read') fds[i + 3] = stream;
    else feed(stream, spec);
  });

  const done = new Promise<void>((resolve, reject) => {
    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('exit', () => {
      // Unread input fds would otherwise keep 'close' from firing.
      for (const w of writables) w.destroy();
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      const stderr = tail.toString();
      if (failure) return reject(Object.assign(failure, { exitCode, signal, stderrTail: stderr || failure.stderrTail }));
      if (spawnError) {
        return reject(
          new MediaError('SPAWN_FAILED', `cannot run ${tool} (${toolPath(tool)}): ${spawnError.message}`, {
            tool,
            args: fullArgs,
            cause: spawnError,
          }),
        );
      }
      // ffmpeg exits 255 after a SIGTERM it handled; when we asked for that it's a success.
      if (exitCode === 0 || (stopping && (exitCode === 255 || signal === 'SIGTERM'))) return resolve();
      const lastLines = stderr.split('\n').slice(-8).join('\n');
      reject(
        new MediaError(
          classifyFailure(stderr),
          `${tool} failed (${signal ? `signal ${signal}` : `exit ${exitCode}`})${lastLines ? `: ${lastLines}` : ''}`,
          { tool, exitCode, signal, stderrTail: stderr, args: fullArgs },
        ),
      );
    });
  });
  // Avoid unhandled-rejection noise when a caller only awaits later.
  done.catch(() => {});

  return {
    child,
    stdout: child.stdout!,
    fds,
    args: fullArgs,
    done,
    stderr: () => tail.toString(),
    kill,
    stop: () => {
      stopping = true;
      terminate();
    },
    touch,
    killed: () => failure !== undefined,
  };
}

export interface RunMediaOptions extends SpawnMediaOptions {
  /** Reject with OUTPUT_TOO_LARGE (and kill) beyond this many stdout bytes. Default 256 MiB. */
  maxStdoutBytes?: number;
}

/** Runs to completion and returns stdout. */
export async function runMedia(
  tool: MediaTool,
  args: readonly string[],
  opts: RunMediaOptions = {},
): Promise<{ stdout: Buffer; stderr: string }> {
  const proc = spawnMedia(tool, args, opts);
  const max = opts.maxStdoutBytes ?? 256 * 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  proc.stdout.on('data', (c: Buffer) => {
    size += c.length;
    if (size > max) {
      proc.kill('OUTPUT_TOO_LARGE', `${tool} output exceeded ${max} bytes`);
      return;
    }
    chunks.push(c);
  });
  await proc.done;
  return { stdout: Buffer.concat(chunks), stderr: proc.stderr() };
}

export type MediaInput = string | Uint8Array;

/** True for URLs ffmpeg opens itself (rtsp://, http://, ...), as opposed to local paths. */
export const isUrl = (input: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(input);

/**
 * ISO-BMFF (MP4/MOV) whose `moov` box comes after `mdat` can't be demuxed from a pipe: the demuxer
 * would have to seek back to the media data. Camera and ffmpeg output without +faststart looks
 * like that. Walks top-level boxes only (cheap).
 */
export function needsSeekableInput(buf: Uint8Array): boolean {
  if (buf.length < 12) return false;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = (at: number): string => String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
  if (type(4) !== 'ftyp') return false;
  let off = 0;
  while (off + 8 <= buf.length) {
    let size = view.getUint32(off);
    const t = type(off + 4);
    if (t === 'moov') return false;
    if (t === 'mdat') return true;
    if (size === 1) {
      if (off + 16 > buf.length) return true;
      size = Number(view.getBigUint64(off + 8));
    } else if (size === 0) return true; // box to EOF and no moov seen
    if (size < 8) return true;
    off += size;
  }
  return true;
}

export interface PreparedInput {
  /** What to put after `-i`. */
  arg: string;
  /** Feed for fd 0 when arg is pipe:0. */
  stdin?: Uint8Array;
  /** Whether the input supports seeking (input-side -ss is only accurate/fast then). */
  seekable: boolean;
  cleanup(): Promise<void>;
}

/**
 * Turns a path or in-memory file into an ffmpeg input. Buffers are piped on stdin; only MP4s laid
 * out moov-after-mdat (which ffmpeg can't demux from a pipe) are spilled to a temp file, unless the
 * caller only needs headers (`pipeOnly`, e.g. ffprobe, which may read through to the trailing moov).
 */
export async function prepareInput(input: MediaInput, opts: { pipeOnly?: boolean } = {}): Promise<PreparedInput> {
  const none = async (): Promise<void> => {};
  if (typeof input === 'string') {
    if (!input) throw new MediaError('INVALID_ARGUMENT', 'empty input path');
    return { arg: input, seekable: !isUrl(input) || /^file:/i.test(input), cleanup: none };
  }
  if (input.length === 0) throw new MediaError('INVALID_INPUT', 'empty input buffer');
  if (opts.pipeOnly || !needsSeekableInput(input)) return { arg: 'pipe:0', stdin: input, seekable: false, cleanup: none };
  const dir = await makeTempDir();
  const path = join(dir, 'input.mp4');
  await writeFile(path, input);
  return { arg: path, seekable: true, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Private temp dir (Lambda: /tmp). Callers remove it. */
export const makeTempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'panoptes-media-'));

/** "30000/1001" → 29.97; "0/0" or junk → undefined. */
export function parseRational(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const [n, d = '1'] = value.split('/');
  const num = Number(n);
  const den = Number(d);
  return Number.isFinite(num) && Number.isFinite(den) && den !== 0 && num > 0 ? num / den : undefined;
}

/** Seconds as an ffmpeg time argument; fixed decimals because ffmpeg rejects exponent notation. */
export const secArg = (sec: number): string => Math.max(0, sec).toFixed(6);
