import * as z from 'zod';
import { parseDuration } from '../platform/time.js';
import { parseTime } from './time.js';

/**
 * People-count time series for one camera (GET /cameras/{cameraCode}/counts): analysed photos grouped in
 * buckets aligned to the epoch (5m buckets start at :00, :05 …), with avg and max per bucket.
 */
export const MAX_RANGE_MS = 31 * 86_400_000;
export const MAX_BUCKETS = 10_000;
export const DEFAULT_RANGE_MS = 86_400_000;

export interface CountPoint {
  start: string;
  photos: number;
  avg: number;
  max: number;
  min: number;
}

export function aggregate(samples: ReadonlyArray<{ callTime: number; numOfPeople: number }>, bucketMs: number): CountPoint[] {
  const buckets = new Map<number, { n: number; sum: number; max: number; min: number }>();
  for (const s of samples) {
    const start = Math.floor(s.callTime / bucketMs) * bucketMs;
    const b = buckets.get(start);
    if (b) {
      b.n++;
      b.sum += s.numOfPeople;
      b.max = Math.max(b.max, s.numOfPeople);
      b.min = Math.min(b.min, s.numOfPeople);
    } else buckets.set(start, { n: 1, sum: s.numOfPeople, max: s.numOfPeople, min: s.numOfPeople });
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, b]) => ({ start: new Date(start).toISOString(), photos: b.n, avg: Math.round((b.sum / b.n) * 100) / 100, max: b.max, min: b.min }));
}

const timeParam = (name: string) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const t = parseTime(v);
    if (!t.ok) {
      ctx.addIssue({ code: 'custom', message: `${name} ${t.message}` });
      return z.NEVER;
    }
    return t.ms;
  });

export const countsQuery = z.object({
  from: timeParam('from'),
  to: timeParam('to'),
  /** `true`: the people in the camera's countRegion (numInRegion) instead of the whole photo (numOfPeople). */
  region: z.enum(['true', 'false'], { message: 'region must be true or false' }).optional().transform((v) => v === 'true'),
  bucket: z
    .string()
    .default('5m')
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (!ms || ms < 1000 || !/[a-z]$/i.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: 'bucket must be a duration of at least 1s, e.g. 30s, 5m, 1h, 1d' });
        return z.NEVER;
      }
      return { text: v.trim(), ms };
    }),
});

export interface CountsRange {
  from: number;
  to: number;
  bucketMs: number;
  bucket: string;
}

/** Defaults (the last 24 h) and limits; returns a message when the range is unusable. */
export function resolveRange(q: z.infer<typeof countsQuery>, now: number): CountsRange | { error: string; path: string } {
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_RANGE_MS;
  if (from >= to) return { error: 'from must be before to', path: 'query.from' };
  if (to - from > MAX_RANGE_MS) return { error: 'the range may span at most 31 days', path: 'query.from' };
  if ((to - from) / q.bucket.ms > MAX_BUCKETS) return { error: `at most ${MAX_BUCKETS} buckets: use a larger bucket`, path: 'query.bucket' };
  return { from, to, bucketMs: q.bucket.ms, bucket: q.bucket.text };
}
