import { describe, expect, it } from 'vitest';
import { bucketStart, bucketStarts, foldFlow, foldOccupancy } from '../../../shared/clips/flow.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('buckets in the camera time zone', () => {
  it('1d buckets start at local midnight, 1h at local whole hours (Asia/Kolkata is UTC+05:30)', () => {
    const t = Date.parse('2026-03-10T12:34:56Z');
    expect(iso(bucketStart(t, '1d', 'Asia/Shanghai'))).toBe('2026-03-09T16:00:00.000Z');
    expect(iso(bucketStart(t, '1h', 'Asia/Kolkata'))).toBe('2026-03-10T12:30:00.000Z');
    expect(iso(bucketStart(t, '15m', 'UTC'))).toBe('2026-03-10T12:30:00.000Z');
    expect(iso(bucketStart(t, '5m', 'UTC'))).toBe('2026-03-10T12:30:00.000Z');
  });

  it('a day across a DST change is 23 h long, and its buckets follow local midnight', () => {
    // Europe/Berlin moves to summer time on 2026-03-29.
    const starts = bucketStarts(Date.parse('2026-03-28T12:00:00Z'), Date.parse('2026-03-30T12:00:00Z'), '1d', 'Europe/Berlin').map(iso);
    expect(starts).toEqual(['2026-03-27T23:00:00.000Z', '2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });

  it('folds minutes into their buckets; occupancy without frames is null, not 0', () => {
    const T = Date.parse('2026-06-01T10:00:00Z');
    const starts = bucketStarts(T, T + 30 * 60_000, '15m', 'UTC');
    const items = [
      { minuteMs: T, in: 1, out: 2, sum: 4, frames: 2, max: 3 },
      { minuteMs: T + 14 * 60_000, in: 3, out: 0, sum: 0, frames: 10, max: 0 },
    ];
    expect(foldFlow(items, starts, '15m', 'UTC')).toEqual([{ start: iso(T), in: 4, out: 2 }, { start: iso(T + 900_000), in: 0, out: 0 }]);
    expect(foldOccupancy(items, starts, '15m', 'UTC')).toEqual([{ start: iso(T), avg: 0.33, max: 3 }, { start: iso(T + 900_000), avg: null, max: null }]);
  });
});
