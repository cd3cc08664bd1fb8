/**
 * Time values the photo API accepts: ISO 8601 strings or epoch milliseconds (number or digits).
 * Everything is normalised to epoch ms (UTC); an ISO time without an offset is read as UTC.
 */
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** 2000-01-01: anything earlier is a unit mistake (epoch seconds sent as ms) rather than a photo time. */
export const EARLIEST_MS = Date.UTC(2000, 0, 1);

export type TimeParse = { ok: true; ms: number } | { ok: false; message: string };

export function parseIsoTime(s: string): number | undefined {
  const m = ISO_RE.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', tz] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(sec);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 Feb over into March: refuse days the month does not have.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  let offsetMin = 0;
  if (tz && tz.toUpperCase() !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  return utc - offsetMin * 60_000;
}

/** A callTime-like value → epoch ms, or why not. */
export function parseTime(v: unknown): TimeParse {
  let ms: number | undefined;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { ok: false, message: 'must be a finite number of epoch milliseconds' };
    ms = Math.round(v);
  } else if (typeof v === 'string') {
    const s = v.trim();
    if (/^\d{1,16}$/.test(s)) ms = Number(s);
    else ms = parseIsoTime(s);
    if (ms === undefined) return { ok: false, message: 'must be an ISO 8601 time (e.g. 2024-05-01T08:30:00+08:00) or epoch milliseconds' };
  } else {
    return { ok: false, message: 'must be an ISO 8601 string or epoch milliseconds' };
  }
  if (ms < EARLIEST_MS) {
    return { ok: false, message: ms > 0 && ms * 1000 >= EARLIEST_MS ? 'is before 2000: epoch seconds? send milliseconds' : 'is before 2000-01-01' };
  }
  if (ms > 8.64e15) return { ok: false, message: 'is out of range' };
  return { ok: true, ms };
}

