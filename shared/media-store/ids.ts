import { createHash } from 'node:crypto';

/**
 * File IDs and object keys (the seed's file ID and its storage path).
 *
 * fileId = 10 base32 digits of the creation time in ms + 11 base32 digits of a sequence number
 * from the ID allocator: 21 URL-safe characters that sort by creation time. The sequence number is
 * never handed out twice, so an ID is never reused even when clocks go back.
 * Crockford's alphabet, lower case: its ASCII order is its numeric order, so IDs sort as strings.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_DIGITS = 10; // 50 bits of ms: past the year 30000
const SEQ_DIGITS = 11; // 55 bits: every safe integer
export const FILE_ID_LENGTH = TIME_DIGITS + SEQ_DIGITS;
export const FILE_ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{21}$/;
/** The allocator key the media store takes its sequence numbers from. */
export const FILE_SEQ_KEY = 'media-file';

function encode(n: number, digits: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`cannot encode ${n}`);
  let out = '';
  for (let i = 0; i < digits; i++) {
    out = ALPHABET[n % 32]! + out;
    n = Math.floor(n / 32);
  }
  if (n !== 0) throw new RangeError(`value does not fit in ${digits} base32 digits`);
  return out;
}

function decode(s: string): number {
  let n = 0;
  for (const c of s) {
    const d = ALPHABET.indexOf(c);
    if (d < 0) throw new RangeError(`not a base32 digit: ${c}`);
    n = n * 32 + d;
  }
  return n;
}

export function encodeFileId(createdAtMs: number, seq: number): string {
  return encode(Math.floor(createdAtMs), TIME_DIGITS) + encode(seq, SEQ_DIGITS);
}

export function decodeFileId(fileId: string): { createdAtMs: number; seq: number } | undefined {
  if (!FILE_ID_PATTERN.test(fileId)) return undefined;
  const seq = decode(fileId.slice(TIME_DIGITS));
  if (!Number.isSafeInteger(seq)) return undefined;
  return { createdAtMs: decode(fileId.slice(0, TIME_DIGITS)), seq };
}

/** A short, safe extension from the client's file name (".mp4"), or ''. */
export function extensionOf(fileName: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(fileName);
  return m ? `.${m[1]!.toLowerCase()}` : '';
}

/**
 * Three directory levels of 512 entries each, from a hash of the ID (the seed spreads files over
 * 512×512×512 directories). S3 scales request rates per prefix, so consecutive uploads land on
 * different prefixes instead of one hot one.
 */
export function keyPrefix(fileId: string): string {
  const h = createHash('sha1').update(fileId).digest().readUInt32BE(0);
  const level = (shift: number) => ((h >>> shift) & 511).toString(16).padStart(3, '0');
  return `${level(0)}/${level(9)}/${level(18)}`;
}

export function objectKey(fileId: string, fileName: string): string {
  return `${keyPrefix(fileId)}/${fileId}${extensionOf(fileName)}`;
}
