import { FileType, type FileInfo } from 'basic-ftp';
import { posix } from 'node:path';
import { isNotFound } from './client.js';
import { DEVICE_ID, FILE_NAME, offsetMinutes } from './layout.js';

/** A file from a directory listing with its modification time as a range (listings are coarse). */
export interface Listed {
  name: string;
  size: number;
  /** Lower bound of the modification time (epoch ms) and the listing's resolution. */
  mtime: number;
  precisionMs: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Modification time of a listing entry. MLSD gives seconds; Unix `ls` style gives minutes for
 * recent files (`Dec 15 15:56`, year implied) and days for old ones (`Dec 15  2017`); DOS style
 * (`12-15-17  03:56PM`) minutes. Listing times are in the server's zone (`utcOffset`).
 */
export function listTime(e: Pick<FileInfo, 'modifiedAt' | 'rawModifiedAt'>, now: number, utcOffset = 'Z'): { mtime: number; precisionMs: number } | undefined {
  if (e.modifiedAt && !Number.isNaN(e.modifiedAt.getTime())) return { mtime: e.modifiedAt.getTime(), precisionMs: 1000 };
  const raw = (e.rawModifiedAt ?? '').trim().replace(/\s+/g, ' ');
  const off = offsetMinutes(utcOffset) * 60_000;
  let m = /^([A-Za-z]{3}) (\d{1,2}) (\d{1,2}):(\d{2})$/.exec(raw);
  if (m) {
    const mon = MONTHS.indexOf(m[1]!.toLowerCase());
    if (mon < 0) return undefined;
    const local = new Date(now + off);
    const y = local.getUTCFullYear();
    let t = Date.UTC(y, mon, +m[2]!, +m[3]!, +m[4]!) - off;
    // No year: the most recent such date not in the future (a day of slack for clock skew).
    if (t > now + 86_400_000) t = Date.UTC(y - 1, mon, +m[2]!, +m[3]!, +m[4]!) - off;
    return { mtime: t, precisionMs: 60_000 };
  }
  m = /^([A-Za-z]{3}) (\d{1,2}) (\d{4})$/.exec(raw);
  if (m) {
    const mon = MONTHS.indexOf(m[1]!.toLowerCase());
    if (mon < 0) return undefined;
    return { mtime: Date.UTC(+m[3]!, mon, +m[2]!) - off, precisionMs: 86_400_000 };
  }
  m = /^(\d{2})-(\d{2})-(\d{2}|\d{4}) (\d{1,2}):(\d{2}) ?([AP]M)?$/i.exec(raw);
  if (m) {
    let y = +m[3]!;
    if (y < 100) y += y < 70 ? 2000 : 1900;
    let h = +m[4]!;
    if (m[6]) h = (h % 12) + (m[6].toUpperCase() === 'PM' ? 12 : 0);
    return { mtime: Date.UTC(y, +m[1]! - 1, +m[2]!, h, +m[5]!) - off, precisionMs: 60_000 };
  }
  return undefined;
}

/** Layout files of a listing (other entries are ignored). */
export function layoutFiles(entries: FileInfo[], now: number, utcOffset = 'Z'): Listed[] {
  const out: Listed[] = [];
  for (const e of entries) {
    if (e.type !== FileType.File || !FILE_NAME.test(e.name)) continue;
    const t = listTime(e, now, utcOffset);
    // Unknown time format: treat as old and coarse, so it is picked up once and remembered by name.
    out.push({ name: e.name, size: e.size, ...(t ?? { mtime: 0, precisionMs: 86_400_000 }) });
  }
  return out;
}

/**
 * A directory's scan watermark: every file whose (upper-bound) mtime is at or below `wm` has been
 * queued, and `recent` names the files queued whose mtime falls in the last `windowMs` before `wm`
 * (files renamed into place keep an older mtime; the window catches them).
 */
export interface Watermark {
  wm: number;
  recent: string[];
}

export interface Selection {
  fresh: Listed[];
  /** Seen but not settled yet (maybe still being written): left for the next scan. */
  pending: number;
  next: Watermark;
}

/**
 * New files of a directory listing given its watermark (pure). A file is taken once its mtime is
 * surely older than `now - settleMs` (so it is complete, and clock skew up to settleMs is covered).
 */
export function selectNew(files: Listed[], prev: Watermark | undefined, now: number, settleMs: number, windowMs: number): Selection {
  const horizon = now - settleMs;
  const wm = Math.max(prev?.wm ?? -Infinity, horizon);
  const known = new Set(prev?.recent ?? []);
  const floor = prev ? prev.wm - windowMs : -Infinity;
  const fresh: Listed[] = [];
  const recent: string[] = [];
  let pending = 0;
  for (const f of files) {
    const hi = f.mtime + f.precisionMs;
    if (hi > horizon) {
      pending++;
      continue;
    }
    if (hi > floor && !known.has(f.name)) fresh.push(f);
    if (hi > wm - windowMs) recent.push(f.name);
  }
  return { fresh, pending, next: { wm, recent } };
}

export type Lister = (path: string) => Promise<FileInfo[]>;

/** Lists a directory; a missing one is empty. */
export async function listOrEmpty(ls: Lister, path: string): Promise<FileInfo[]> {
  try {
    return await ls(path);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

const dirNames = (entries: FileInfo[], re: RegExp) => entries.filter((e) => e.type === FileType.Directory && re.test(e.name)).map((e) => e.name).sort();

/** Device directories under `{root}/ftpdata`. */
export async function listDevices(ls: Lister, root: string): Promise<string[]> {
  return dirNames(await listOrEmpty(ls, posix.join(root, 'ftpdata')), DEVICE_ID);
}

/**
 * Hour directories (`yyyy/MM/dd/HH`) of a device between two hour keys (inclusive), ascending,
 * walking only the year/month/day directories that can hold them.
 */
export async function listHours(ls: Lister, root: string, deviceId: string, from = '0000/00/00/00', to = '9999/99/99/99'): Promise<string[]> {
  const base = posix.join(root, 'ftpdata', deviceId);
  const inRange = (partial: string) => partial >= from.slice(0, partial.length) && partial <= to.slice(0, partial.length);
  const out: string[] = [];
  const levels = [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/, /^\d{2}$/];
  const walk = async (prefix: string, depth: number): Promise<void> => {
    const names = dirNames(await listOrEmpty(ls, prefix ? posix.join(base, prefix) : base), levels[depth]!);
    for (const n of names) {
      const key = prefix ? `${prefix}/${n}` : n;
      if (!inRange(key)) continue;
      if (depth === 3) out.push(key);
      else await walk(key, depth + 1);
    }
  };
  await walk('', 0);
  return out;
}
