import { describe, expect, it } from 'vitest';
import { FILE_ID_LENGTH, FILE_ID_PATTERN, decodeFileId, encodeFileId, extensionOf, keyPrefix, objectKey } from '../../../shared/media-store/ids.js';

describe('file ids', () => {
  it('are 21 URL-safe characters that round-trip', () => {
    const id = encodeFileId(Date.UTC(2026, 0, 2, 3, 4, 5, 678), 123_456_789);
    expect(id).toHaveLength(FILE_ID_LENGTH);
    expect(id).toMatch(FILE_ID_PATTERN);
    expect(encodeURIComponent(id)).toBe(id);
    expect(decodeFileId(id)).toEqual({ createdAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678), seq: 123_456_789 });
  });

  it('sort as strings by creation time, then by sequence number', () => {
    const t = Date.UTC(2026, 5, 1);
    const ids = [
      encodeFileId(t, 900), encodeFileId(t + 1, 5), encodeFileId(t, 901), encodeFileId(t + 1000, 1), encodeFileId(t - 1, Number.MAX_SAFE_INTEGER),
    ];
    const byString = [...ids].sort();
    const byValue = [...ids].sort((a, b) => {
      const x = decodeFileId(a)!, y = decodeFileId(b)!;
      return x.createdAtMs - y.createdAtMs || x.seq - y.seq;
    });
    expect(byString).toEqual(byValue);
  });

  it('differ whenever the sequence number differs, even at the same instant', () => {
    const t = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => encodeFileId(t, i + 1)));
    expect(ids.size).toBe(10_000);
  });

  it('refuse values that do not fit and reject malformed ids', () => {
    expect(() => encodeFileId(-1, 1)).toThrow();
    expect(() => encodeFileId(Date.now(), 1.5)).toThrow();
    for (const bad of ['', 'x'.repeat(21), 'ABCDEFGHJKMNPQRSTVWXY', '0123456789abcdefghjk', '0123456789abcdefghjkmu', '0123456789abcdefghjk/']) {
      expect(decodeFileId(bad), bad).toBeUndefined();
    }
  });
});

describe('object keys', () => {
  it('spread over three levels of 512 prefixes derived from the id', () => {
    const id = encodeFileId(Date.now(), 42);
    const prefix = keyPrefix(id);
    expect(prefix).toMatch(/^[0-1][0-9a-f]{2}\/[0-1][0-9a-f]{2}\/[0-1][0-9a-f]{2}$/);
    expect(keyPrefix(id)).toBe(prefix); // deterministic
    expect(objectKey(id, 'Clip.MP4')).toBe(`${prefix}/${id}.mp4`);
    expect(objectKey(id, 'no-extension')).toBe(`${prefix}/${id}`);
  });

  it('consecutive ids land on many different first-level prefixes', () => {
    const t = Date.now();
    const firstLevels = new Set(Array.from({ length: 2000 }, (_, i) => keyPrefix(encodeFileId(t, i + 1)).slice(0, 3)));
    expect(firstLevels.size).toBeGreaterThan(450); // ~500 expected of 512 for 2000 draws
    for (const l of firstLevels) expect(parseInt(l, 16)).toBeLessThan(512);
  });

  it('keep only a short, safe extension', () => {
    expect(extensionOf('a.tar.gz')).toBe('.gz');
    expect(extensionOf('movie.mp4')).toBe('.mp4');
    expect(extensionOf('../../etc/passwd')).toBe('');
    expect(extensionOf('x.verylongextension')).toBe('');
    expect(extensionOf('x.m p4')).toBe('');
  });
});
