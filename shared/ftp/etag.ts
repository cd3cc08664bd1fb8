import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * S3's ETag for an object uploaded in parts of `partSize` bytes (SSE-S3 or no encryption): the
 * MD5 of the content when it went up in one piece, else MD5(concat of each part's MD5)-N.
 * Computing it on the way lets us compare with what S3 says it stored.
 */
export class EtagHasher extends Transform {
  private readonly whole = createHash('md5');
  private part: Hash = createHash('md5');
  private partBytes = 0;
  private readonly partDigests: Buffer[] = [];
  bytes = 0;

  /** `expectBytes`: fail the stream (so an upload reading it aborts) if the source ends short or long. */
  constructor(readonly partSize: number, private readonly expectBytes?: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.whole.update(chunk);
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, this.partSize - this.partBytes);
      this.part.update(chunk.subarray(off, off + n));
      this.partBytes += n;
      off += n;
      if (this.partBytes === this.partSize) {
        this.partDigests.push(this.part.digest());
        this.part = createHash('md5');
        this.partBytes = 0;
      }
    }
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.expectBytes !== undefined && this.bytes !== this.expectBytes) {
      cb(new SizeMismatchError(this.expectBytes, this.bytes));
      return;
    }
    if (this.partBytes > 0) this.partDigests.push(this.part.digest());
    this.md5Hex = this.whole.digest('hex');
    cb();
  }

  md5Hex: string | undefined;

  /** Valid after the stream ended. */
  etag(): string {
    if (!this.md5Hex) throw new Error('EtagHasher: stream not finished');
    return multipartEtag(this.md5Hex, this.partDigests);
  }
}

export function multipartEtag(md5Hex: string, partDigests: Buffer[]): string {
  if (partDigests.length <= 1) return md5Hex;
  return `${createHash('md5').update(Buffer.concat(partDigests)).digest('hex')}-${partDigests.length}`;
}

/** ETag of a buffer uploaded in parts of `partSize` (pure; for tests and checks). */
export function etagOf(buf: Buffer, partSize: number): string {
  const md5 = createHash('md5').update(buf).digest('hex');
  if (buf.length <= partSize) return md5;
  const parts: Buffer[] = [];
  for (let off = 0; off < buf.length; off += partSize) parts.push(createHash('md5').update(buf.subarray(off, off + partSize)).digest());
  return multipartEtag(md5, parts);
}

export const stripQuotes = (etag: string | undefined) => (etag ?? '').replaceAll('"', '');

export class SizeMismatchError extends Error {
  constructor(readonly expected: number, readonly got: number) {
    super(`size mismatch: FTP listed ${expected} bytes, transferred ${got}`);
    this.name = 'SizeMismatchError';
  }
}

export class ChecksumMismatchError extends Error {
  constructor(readonly expected: string, readonly got: string) {
    super(`checksum mismatch: computed ETag ${expected}, S3 stored ${got}`);
    this.name = 'ChecksumMismatchError';
  }
}
