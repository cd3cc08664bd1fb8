import { Writable } from 'node:stream';
import { offsetMinutes } from './layout.js';

/**
 * Bandwidth limits per FTP server (rclone's `--bwlimit` timetable): `FTP_SERVERS.<name>.bandwidth`
 * is either one rate (`"512k"`, `"2M"`, `"off"`) or entries `HH:MM,rate` separated by spaces, e.g.
 * `"08:00,512k 19:00,off"`: from 08:00 512 KiB/s, from 19:00 unlimited, in the server's `utcOffset`.
 * Before the day's first entry the last one applies (the table wraps around midnight). Rates are
 * bytes per second with an optional suffix b, k (KiB), M (MiB), G (GiB); `off` = no limit.
 * All connections of one server in this process share one token bucket.
 */
export interface BandwidthEntry {
  /** Minutes after local midnight. */
  at: number;
  /** Bytes per second; undefined = unlimited. */
  rate: number | undefined;
}

const UNITS: Record<string, number> = { '': 1024, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `512k` → 524288; `off` → undefined. A bare number is KiB/s, as in rclone. */
export function parseRate(text: string): number | undefined {
  const t = text.trim();
  if (t.toLowerCase() === 'off') return undefined;
  const m = /^(\d+(?:\.\d+)?)([bkmgBKMG]?)$/.exec(t);
  if (!m) throw new Error(`bad rate ${JSON.stringify(text)} (e.g. 512k, 1.5M, off)`);
  const n = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  if (!(n >= 1)) throw new Error(`bad rate ${JSON.stringify(text)}: at least 1 byte per second`);
  return Math.round(n);
}

/** Parses a timetable (or a single rate); throws with what is wrong. */
export function parseBandwidth(text: string): BandwidthEntry[] {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (!parts.length) throw new Error('empty bandwidth (give a rate like 512k, or a timetable like "08:00,512k 19:00,off")');
  if (parts.length === 1 && !parts[0]!.includes(',')) return [{ at: 0, rate: parseRate(parts[0]!) }];
  const out: BandwidthEntry[] = [];
  for (const part of parts) {
    const m = /^(\d{2}):(\d{2}),(.+)$/.exec(part);
    if (!m) throw new Error(`bad timetable entry ${JSON.stringify(part)} (want HH:MM,rate, e.g. 08:00,512k)`);
    const h = Number(m[1]);
    const min = Number(m[2]);
    if (h > 23 || min > 59) throw new Error(`bad time in ${JSON.stringify(part)} (00:00 to 23:59)`);
    const at = h * 60 + min;
    if (out.length && at <= out[out.length - 1]!.at) throw new Error(`timetable times must increase: ${JSON.stringify(part)} is not after the entry before it`);
    out.push({ at, rate: parseRate(m[3]!) });
  }
  return out;
}

/** The rate in force at `now` (epoch ms) for a server in `utcOffset`. */
export function rateAt(table: BandwidthEntry[], now: number, utcOffset = 'Z'): number | undefined {
  if (!table.length) return undefined;
  const local = now + offsetMinutes(utcOffset) * 60_000;
  const minute = Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
  let current = table[table.length - 1]!; // before the first entry: yesterday's last one
  for (const e of table) if (e.at <= minute) current = e;
  return current.rate;
}

/**
 * A token bucket shared by every transfer of one server. `take(n)` resolves when `n` bytes may
 * pass; takers are served in order. The bucket holds at most `burstMs` worth of the current rate
 * (so a pause does not buy a long burst later) and may go into debt for a chunk larger than that,
 * which the next taker waits off. With no limit in force it resolves at once.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly rate: () => number | undefined,
    private readonly o: { burstMs?: number; monotonic?: () => number; sleep?: (ms: number) => Promise<void> } = {},
  ) {
    this.last = this.mono();
    const r = rate();
    this.tokens = r ? (r * this.burstMs) / 1000 : 0;
  }

  private get burstMs(): number {
    return this.o.burstMs ?? 100;
  }

  private mono(): number {
    return (this.o.monotonic ?? performance.now.bind(performance))();
  }

  private sleep(ms: number): Promise<void> {
    return (this.o.sleep ?? ((t: number) => new Promise<void>((r) => setTimeout(r, t))))(ms);
  }

  take(n: number): Promise<void> {
    const p = this.queue.then(() => this.consume(n));
    this.queue = p.catch(() => undefined);
    return p;
  }

  private async consume(n: number): Promise<void> {
    const r = this.rate();
    const now = this.mono();
    if (!r) {
      this.last = now;
      this.tokens = 0;
      return;
    }
    this.tokens = Math.min((r * this.burstMs) / 1000, this.tokens + ((now - this.last) * r) / 1000);
    this.last = now;
    this.tokens -= n;
    if (this.tokens < 0) await this.sleep((-this.tokens / r) * 1000);
  }
}

/**
 * A Writable in front of `inner` that lets each chunk through only when the bucket allows: the
 * FTP data socket behind it is paused meanwhile, so the server sends no faster than the rate.
 * Ends when `inner` has finished; errors either way destroy both.
 */
export function throttled(bucket: TokenBucket, inner: Writable): Writable {
  const w = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      bucket.take(chunk.length).then(() => {
        if (inner.write(chunk)) cb();
        else inner.once('drain', () => cb());
      }, cb);
    },
    final(cb) {
      inner.once('finish', () => cb());
      inner.end();
    },
    destroy(err, cb) {
      if (err && !inner.destroyed) inner.destroy(err);
      cb(err);
    },
  });
  inner.once('error', (err) => w.destroy(err));
  // basic-ftp ends its destination again after the pipeline did: no error for that.
  const end = w.end.bind(w) as (...a: unknown[]) => Writable;
  w.end = ((...a: unknown[]) => (w.writableEnded ? w : end(...a))) as typeof w.end;
  return w;
}
