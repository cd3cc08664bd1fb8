import { describe, expect, it } from 'vitest';
import { capRange, contentRange, offsetRange, parseRangeHeader } from '../../../shared/media-store/range.js';

const SIZE = 1000;

describe('Range header', () => {
  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-', 100, 999],
    ['bytes=-100', 900, 999],
    ['bytes=-5000', 0, 999], // suffix longer than the file: the whole file
    ['bytes=990-5000', 990, 999], // end past the file: clamped
    ['bytes=999-999', 999, 999],
    ['bytes=0-', 0, 999],
    ['BYTES = 5 - 9', 5, 9],
    ['bytes=0-99999999999999999999999', 0, 999],
  ])('%s → %i-%i', (header, start, end) => {
    expect(parseRangeHeader(header, SIZE)).toEqual({ kind: 'range', start, end });
  });

  it.each(['bytes=1000-', 'bytes=1000-1001', 'bytes=-0', 'bytes=5000-6000', 'bytes=99999999999999999999-'])('%s is unsatisfiable', (header) => {
    expect(parseRangeHeader(header, SIZE).kind).toBe('unsatisfiable');
  });

  it.each(['', 'bytes', 'bytes=', 'bytes=-', 'items=0-1', 'bytes=a-b', 'bytes=10-5', 'bytes=0-1,5-6', 'bytes=1.5-2', 'bytes=--1', 'bytes=+1-2'])('"%s" is malformed', (header) => {
    const r = parseRangeHeader(header, SIZE);
    expect(r.kind).toBe('malformed');
    expect((r as { reason: string }).reason.length).toBeGreaterThan(5);
  });

  it('nothing is satisfiable in an empty file', () => {
    expect(parseRangeHeader('bytes=0-', 0).kind).toBe('unsatisfiable');
    expect(parseRangeHeader('bytes=-1', 0).kind).toBe('unsatisfiable');
  });
});

describe('offset and size (the seed download)', () => {
  it('reads size bytes from offset, clamped; size 0 or absent reads to the end', () => {
    expect(offsetRange(10, 20, SIZE)).toEqual({ kind: 'range', start: 10, end: 29 });
    expect(offsetRange(990, 20, SIZE)).toEqual({ kind: 'range', start: 990, end: 999 });
    expect(offsetRange(10, 0, SIZE)).toEqual({ kind: 'range', start: 10, end: 999 });
    expect(offsetRange(0, undefined, SIZE)).toEqual({ kind: 'range', start: 0, end: 999 });
  });
  it('an offset at or past the end is unsatisfiable', () => {
    expect(offsetRange(1000, 1, SIZE).kind).toBe('unsatisfiable');
  });
});

describe('capRange', () => {
  it('answers a long range with its first max bytes', () => {
    expect(capRange({ start: 100, end: 10_000_000 }, 4096)).toEqual({ start: 100, end: 4195, capped: true });
    expect(capRange({ start: 100, end: 199 }, 4096)).toEqual({ start: 100, end: 199, capped: false });
    expect(capRange({ start: 0, end: 4095 }, 4096)).toEqual({ start: 0, end: 4095, capped: false });
  });
  it('formats Content-Range', () => {
    expect(contentRange({ start: 0, end: 9 }, 100)).toBe('bytes 0-9/100');
  });
});
