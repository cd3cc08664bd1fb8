import { describe, expect, it } from 'vitest';
import { GIB, MAX_FILE_SIZE, MAX_PARTS, MIB, S3_MAX_PARTS, S3_MIN_PART, checkParts, partRanges, partSizeFor, uploadPlan } from '../../../shared/media-store/plan.js';

describe('upload plan', () => {
  it('one PUT up to the threshold, parts above it', () => {
    expect(uploadPlan(64 * MIB, 64 * MIB)).toEqual({ kind: 'single' });
    expect(uploadPlan(64 * MIB + 1, 64 * MIB)).toEqual({ kind: 'multipart', partSize: 8 * MIB, partCount: 9 });
    expect(uploadPlan(100 * MIB, 8 * MIB)).toEqual({ kind: 'multipart', partSize: 8 * MIB, partCount: 13 });
  });

  it('parts stay within S3 limits and at most MAX_PARTS up to 50 GiB', () => {
    for (const size of [64 * MIB + 1, GIB, 7.8 * GIB, 8 * GIB, 8 * GIB + 1, 20 * GIB, MAX_FILE_SIZE]) {
      const plan = uploadPlan(Math.floor(size), 64 * MIB);
      if (plan.kind !== 'multipart') throw new Error('expected multipart');
      expect(plan.partSize).toBeGreaterThanOrEqual(S3_MIN_PART);
      expect(plan.partSize % MIB).toBe(0);
      expect(plan.partCount).toBeLessThanOrEqual(Math.min(MAX_PARTS, S3_MAX_PARTS));
      expect(plan.partCount * plan.partSize).toBeGreaterThanOrEqual(Math.floor(size));
    }
    expect(partSizeFor(MAX_FILE_SIZE)).toBe(52 * MIB);
  });

  it('part ranges cover the file exactly once', () => {
    const size = 100 * MIB + 123;
    const parts = partRanges(size, 8 * MIB);
    expect(parts[0]).toEqual({ partNumber: 1, start: 0, end: 8 * MIB });
    expect(parts.at(-1)!.end).toBe(size);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.start).toBe(parts[i - 1]!.end);
    expect(parts.map((p) => p.partNumber)).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
  });

  it('the parts of a completion must be exactly 1..n', () => {
    expect(checkParts([{ partNumber: 2 }, { partNumber: 1 }], 2)).toBeUndefined();
    expect(checkParts([{ partNumber: 1 }], 2)).toMatch(/expected 2 parts, got 1/);
    expect(checkParts([{ partNumber: 1 }, { partNumber: 1 }], 2)).toMatch(/part 2 is missing/);
    expect(checkParts([{ partNumber: 1 }, { partNumber: 3 }], 2)).toMatch(/part 2 is missing/);
  });
});
