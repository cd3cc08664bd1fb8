import { posix } from 'node:path';

/**
 * The cameras' FTP layout (seed 003):
 *   ftpdata/{deviceId}/{yyyy}/{MM}/{dd}/{HH}/{yyyy_MM_dd_HH_mm_ss}_{seq}_{n}.{jpg|json}
 * e.g. ftpdata/3K01E84PAU00498/2017/12/15/15/2017_12_15_15_56_49_6318_1.jpg
 *
 * Kinds, from the seed's naming (one capture = `_0.jpg`, `_0.json` and `_1.jpg`, more faces →
 * `_2.jpg`...): n = 0 `.jpg` is the big image (the whole frame), n ≥ 1 `.jpg` a small image (a crop;
 * a capture may have several), `.json` the capture's attributes (any n).
 * `seq` is the camera's sub-second counter (the seed shows 4 digits, so it is not milliseconds):
 * captureTime is therefore to the second, and `seq` stays in the file name.
 */
export type Kind = 'big' | 'small' | 'json';
export const KINDS: readonly Kind[] = ['big', 'small', 'json'];

export interface ParsedPath {
  /** Path relative to the server's root, normalized (`ftpdata/...`). */
  rel: string;
  fileName: string;
  deviceId: string;
  kind: Kind;
  /** ISO 8601 UTC (toISOString), to the second. */
  captureTime: string;
  /** The hour directory relative to root: `ftpdata/{deviceId}/{yyyy}/{MM}/{dd}/{HH}`. */
  dir: string;
  /** `{yyyy}/{MM}/{dd}/{HH}`: sorts like time. */
  hourKey: string;
}

export const DEVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const FILE_NAME = /^(\d{4})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{2})_(\d{1,6})_(\d{1,3})\.(jpg|json)$/;
const REL = /^ftpdata\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/([^/]+)$/;

export class PathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathError';
  }
}

/** `+08:00` / `-05:30` / `Z` → minutes east of UTC. */
export function offsetMinutes(offset: string): number {
  if (offset === 'Z' || offset === '+00:00' || offset === '') return 0;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) throw new Error(`bad UTC offset ${offset} (want ±HH:MM or Z)`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** Wall-clock fields in the camera's time zone → epoch ms, or undefined if not a real date. */
export function wallToEpoch(f: { y: number; M: number; d: number; h: number; m?: number; s?: number }, utcOffset = 'Z'): number | undefined {
  const ms = Date.UTC(f.y, f.M - 1, f.d, f.h, f.m ?? 0, f.s ?? 0);
  const back = new Date(ms);
  // Date.UTC rolls over (Feb 30 → Mar 2): reject what does not round-trip.
  if (back.getUTCFullYear() !== f.y || back.getUTCMonth() !== f.M - 1 || back.getUTCDate() !== f.d || back.getUTCHours() !== f.h
    || back.getUTCMinutes() !== (f.m ?? 0) || back.getUTCSeconds() !== (f.s ?? 0)) return undefined;
  return ms - offsetMinutes(utcOffset) * 60_000;
}

/**
 * Resolves a notified path against the server's root and checks it against the layout.
 * Accepts `ftpdata/...` (relative to root) or an absolute path inside root. Throws PathError.
 */
export function resolveInRoot(path: string, root: string): string {
  if (typeof path !== 'string' || !path) throw new PathError('path is empty');
  if (path.length > 512) throw new PathError('path is too long');
  if (/[\0\r\n\\]/.test(path)) throw new PathError('path contains a forbidden character');
  if (path.split('/').some((s) => s === '..' || s === '.')) throw new PathError("path must not contain '.' or '..' segments");
  if (path.includes('//')) throw new PathError('path has empty segments');
  const normRoot = posix.normalize(`/${root}/`);
  let rel: string;
  if (path.startsWith('/')) {
    const abs = posix.normalize(path);
    if (!abs.startsWith(normRoot)) throw new PathError(`path is outside the server's root ${normRoot}`);
    rel = abs.slice(normRoot.length);
  } else {
    rel = posix.normalize(path);
  }
  return rel;
}

/** Checks a root-relative path against the layout. Throws PathError naming the problem. */
export function parseRel(rel: string, utcOffset = 'Z'): ParsedPath {
  const m = REL.exec(rel);
  if (!m) throw new PathError('path does not match ftpdata/{deviceId}/{yyyy}/{MM}/{dd}/{HH}/{file}');
  const [, deviceId, yyyy, MM, dd, HH, fileName] = m as unknown as string[];
  if (!DEVICE_ID.test(deviceId!)) throw new PathError('deviceId must be 1-64 of [A-Za-z0-9_-]');
  const f = FILE_NAME.exec(fileName!);
  if (!f) throw new PathError('file name does not match {yyyy_MM_dd_HH_mm_ss}_{seq}_{n}.{jpg|json}');
  const [, fy, fM, fd, fh, fm, fs, , n, ext] = f as unknown as string[];
  if (fy !== yyyy || fM !== MM || fd !== dd || fh !== HH) throw new PathError('file name time does not match its directory');
  const epoch = wallToEpoch({ y: +fy!, M: +fM!, d: +fd!, h: +fh!, m: +fm!, s: +fs! }, utcOffset);
  if (epoch === undefined) throw new PathError('file name time is not a valid date');
  const kind: Kind = ext === 'json' ? 'json' : Number(n) === 0 ? 'big' : 'small';
  return {
    rel,
    fileName: fileName!,
    deviceId: deviceId!,
    kind,
    captureTime: new Date(epoch).toISOString(),
    dir: posix.dirname(rel),
    hourKey: `${yyyy}/${MM}/${dd}/${HH}`,
  };
}

export function parsePath(path: string, root: string, utcOffset = 'Z'): ParsedPath {
  return parseRel(resolveInRoot(path, root), utcOffset);
}

/** The FTP path of a root-relative path (what the FTP commands take). */
export function ftpAbsPath(root: string, rel: string): string {
  return posix.join(posix.normalize(`/${root}/`), rel);
}

/** Object key: the layout is kept (prefix per device and hour), re-migrations get a version suffix. */
export function s3KeyFor(p: Pick<ParsedPath, 'rel'>, version = 1): string {
  const base = `ftp/${p.rel.replace(/^ftpdata\//, '')}`;
  if (version <= 1) return base;
  const dot = base.lastIndexOf('.');
  return `${base.slice(0, dot)}.v${version}${base.slice(dot)}`;
}

/** Public FTP URL: the server's `publicUrl` base (or ftp://host:port) + the absolute path, encoded per segment. */
export function ftpUrlFor(base: string, root: string, rel: string): string {
  const abs = ftpAbsPath(root, rel);
  return base.replace(/\/+$/, '') + abs.split('/').map(encodeURIComponent).join('/');
}

export const contentTypeOf = (fileName: string) => (fileName.endsWith('.json') ? 'application/json' : 'image/jpeg');

/** Hour directory key (`yyyy/MM/dd/HH`) of an instant, in the camera's time zone. */
export function hourKeyOf(epochMs: number, utcOffset = 'Z'): string {
  const d = new Date(epochMs + offsetMinutes(utcOffset) * 60_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${p(d.getUTCHours())}`;
}

/** Epoch ms at which an hour directory's hour ends (camera time zone). */
export function hourEnd(hourKey: string, utcOffset = 'Z'): number {
  const [y, M, d, h] = hourKey.split('/').map(Number) as [number, number, number, number];
  const start = wallToEpoch({ y, M, d, h }, utcOffset);
  if (start === undefined) throw new Error(`bad hour key ${hourKey}`);
  return start + 3_600_000;
}
