/**
 * Byte ranges for ranged downloads: the HTTP `Range` header (RFC 9110 §14, single range) and the
 * seed's download(offset, size). Pure: the handler turns the outcome into 206/400/416.
 */
export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export type RangeOutcome =
  | ({ kind: 'range' } & ByteRange)
  | { kind: 'unsatisfiable'; reason: string }
  | { kind: 'malformed'; reason: string };

const SPEC = /^(\d*)\s*-\s*(\d*)$/;

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` against a file of `size` bytes. Ends past the file are clamped. */
export function parseRangeHeader(header: string, size: number): RangeOutcome {
  const m = /^\s*bytes\s*=\s*(.*?)\s*$/i.exec(header);
  if (!m) return { kind: 'malformed', reason: `Range must look like "bytes=start-end", got "${clip(header)}"` };
  const specs = m[1]!.split(',').map((s) => s.trim()).filter(Boolean);
  if (specs.length === 0) return { kind: 'malformed', reason: 'Range names no byte range' };
  if (specs.length > 1) return { kind: 'malformed', reason: 'multiple ranges in one request are not supported; ask for one range at a time' };
  const spec = SPEC.exec(specs[0]!);
  if (!spec) return { kind: 'malformed', reason: `"${clip(specs[0]!)}" is not a byte range (start-end, start- or -suffix)` };
  const [first, last] = [spec[1]!, spec[2]!];
  if (first === '' && last === '') return { kind: 'malformed', reason: 'a byte range needs a start or a suffix length' };
  if (first === '') {
    const n = Number(last);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable', reason: 'a suffix range of 0 bytes selects nothing' };
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return { kind: 'malformed', reason: `range end ${last} is before its start ${first}` };
  if (start >= size) return { kind: 'unsatisfiable', reason: `range starts at ${first}, the file has ${size} bytes` };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'range', start, end };
}

/** The seed's download(offset, size): size absent or 0 means "to the end". */
export function offsetRange(offset: number, length: number | undefined, size: number): RangeOutcome {
  if (offset >= size) return { kind: 'unsatisfiable', reason: `offset ${offset} is at or past the end of the file (${size} bytes)` };
  const end = length ? Math.min(size - 1, offset + length - 1) : size - 1;
  return { kind: 'range', start: offset, end };
}

/** At most `max` bytes per answer: a longer range is answered with its first `max` bytes. */
export function capRange(r: ByteRange, max: number): ByteRange & { capped: boolean } {
  const end = Math.min(r.end, r.start + max - 1);
  return { start: r.start, end, capped: end < r.end };
}

export const contentRange = (r: ByteRange, size: number) => `bytes ${r.start}-${r.end}/${size}`;

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
