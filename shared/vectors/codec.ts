/**
 * Binary framing shared by the serialized index kinds. Every blob starts with an 8-byte prefix —
 * magic "PNVX", u16 format version, u8 kind, u8 reserved — so `loadIndex` can dispatch on bytes alone
 * and reject anything else. All integers are little-endian; vector data is raw little-endian float32,
 * 4-byte aligned, so it can be copied into a Float32Array in one `set`.
 */
import { endianness } from 'node:os';
import { CorruptIndexError, type IndexKind } from './types.js';

const MAGIC = 0x58564e50; // "PNVX" read as little-endian u32
export const FORMAT_VERSION = 1;
export const PREFIX_BYTES = 8;
const KIND_CODES: Record<IndexKind, number> = { exact: 1, hnsw: 2 };

// Raw float32 copies assume the host is little-endian (true of x86-64 and arm64 Lambda).
if (endianness() !== 'LE') throw new Error('vector index serialization requires a little-endian host');

export function writePrefix(view: DataView, kind: IndexKind): void {
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint8(6, KIND_CODES[kind]);
  view.setUint8(7, 0);
}

export function readKind(bytes: Uint8Array): IndexKind {
  if (bytes.byteLength < PREFIX_BYTES) throw new CorruptIndexError('too short to be a serialized index');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new CorruptIndexError('not a serialized vector index (bad magic)');
  const version = view.getUint16(4, true);
  if (version !== FORMAT_VERSION) throw new CorruptIndexError(`unsupported index format version ${version}`);
  const code = view.getUint8(6);
  const kind = (Object.keys(KIND_CODES) as IndexKind[]).find((k) => KIND_CODES[k] === code);
  if (!kind) throw new CorruptIndexError(`unknown index kind code ${code}`);
  return kind;
}

export const align4 = (n: number) => (n + 3) & ~3;

/** Ids are stored as count × u32 UTF-8 byte lengths followed by the concatenated UTF-8 bytes. */
export function encodedIdsLength(ids: readonly string[]): number {
  let bytes = 4 * ids.length;
  for (const id of ids) bytes += Buffer.byteLength(id, 'utf8');
  return bytes;
}

export function writeIds(out: Uint8Array, offset: number, ids: readonly string[]): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  let lenAt = offset;
  let strAt = offset + 4 * ids.length;
  for (const id of ids) {
    const n = buf.write(id, strAt, 'utf8');
    view.setUint32(lenAt, n, true);
    lenAt += 4;
    strAt += n;
  }
  return strAt;
}

/** Bounds-checked cursor over a serialized blob: any overrun is a CorruptIndexError, never a RangeError. */
export class Reader {
  private readonly view: DataView;
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    offset = PREFIX_BYTES,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || at + n > this.bytes.byteLength) throw new CorruptIndexError('serialized index is truncated');
    this.offset += n;
    return at;
  }

  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }

  f64(): number {
    return this.view.getFloat64(this.need(8), true);
  }

  bytesView(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }

  align4(): void {
    this.need(align4(this.offset) - this.offset);
  }

  ids(count: number): string[] {
    const lensAt = this.need(4 * count);
    const buf = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    const ids = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const n = this.view.getUint32(lensAt + 4 * i, true);
      const at = this.need(n);
      ids[i] = buf.toString('utf8', at, at + n);
    }
    return ids;
  }

  /** Copies `count` float32s (at an aligned offset) into `out`. */
  floatsInto(out: Float32Array, count: number): void {
    this.align4();
    const at = this.need(4 * count);
    const abs = this.bytes.byteOffset + at;
    if (abs % 4 === 0) {
      out.set(new Float32Array(this.bytes.buffer, abs, count));
    } else {
      // Caller's buffer is misaligned (e.g. a slice of a larger Buffer): copy bytes instead.
      new Uint8Array(out.buffer, out.byteOffset, 4 * count).set(this.bytes.subarray(at, at + 4 * count));
    }
  }
}
