/** How a file of a given size is uploaded: one presigned PUT or a multipart upload. Pure. */
export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
export const MAX_FILE_SIZE = 50 * GIB;
/** S3's own limits. */
export const S3_MAX_SINGLE_PUT = 5 * GIB;
export const S3_MIN_PART = 5 * MIB;
export const S3_MAX_PARTS = 10_000;
/** Parts are at least 8 MiB; a file never needs more than 1,000 parts (the answer lists one URL per part). */
export const MIN_PART_SIZE = 8 * MIB;
export const MAX_PARTS = 1000;

export type UploadPlan =
  | { kind: 'single' }
  | { kind: 'multipart'; partSize: number; partCount: number };

export function partSizeFor(size: number): number {
  const needed = Math.ceil(size / MAX_PARTS / MIB) * MIB;
  return Math.max(MIN_PART_SIZE, needed);
}

/** Files up to `threshold` bytes go in one PUT; larger ones in parts of `partSizeFor(size)`. */
export function uploadPlan(size: number, threshold: number): UploadPlan {
  if (size <= threshold) return { kind: 'single' };
  const partSize = partSizeFor(size);
  return { kind: 'multipart', partSize, partCount: Math.ceil(size / partSize) };
}

/** Byte range [start, end) of each part, numbered from 1 (what a client reads from its file). */
export function partRanges(size: number, partSize: number): Array<{ partNumber: number; start: number; end: number }> {
  const out: Array<{ partNumber: number; start: number; end: number }> = [];
  for (let start = 0, n = 1; start < size; start += partSize, n++) out.push({ partNumber: n, start, end: Math.min(size, start + partSize) });
  return out;
}

/** The parts a client says it uploaded must be exactly 1..partCount. Returns a problem, or undefined. */
export function checkParts(parts: Array<{ partNumber: number }>, partCount: number): string | undefined {
  if (parts.length !== partCount) return `expected ${partCount} parts, got ${parts.length}`;
  const seen = new Set(parts.map((p) => p.partNumber));
  for (let n = 1; n <= partCount; n++) if (!seen.has(n)) return `part ${n} is missing`;
  return undefined;
}
