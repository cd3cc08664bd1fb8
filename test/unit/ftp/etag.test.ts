import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { EtagHasher, etagOf, SizeMismatchError } from '../../../shared/ftp/etag.js';

async function hashStream(buf: Buffer, partSize: number, chunk: number, expect?: number) {
  const h = new EtagHasher(partSize, expect);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) chunks.push(buf.subarray(i, i + chunk));
  await pipeline(Readable.from(chunks), h, new Writable({ write: (_c, _e, cb) => cb() }));
  return h;
}

describe('S3 ETag on the way', () => {
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

  it('single part: the MD5', async () => {
    const buf = randomBytes(1000);
    const h = await hashStream(buf, 4096, 77);
    expect(h.etag()).toBe(md5(buf));
    expect(h.bytes).toBe(1000);
  });

  it('multipart: MD5 of the part MD5s, -N; whatever the chunking; exact multiples have no empty part', async () => {
    const part = 1024;
    for (const size of [part + 1, 3 * part, 3 * part + 500]) {
      const buf = randomBytes(size);
      const parts = Math.ceil(size / part);
      const digests = Array.from({ length: parts }, (_, i) => createHash('md5').update(buf.subarray(i * part, (i + 1) * part)).digest());
      const want = `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts}`;
      expect((await hashStream(buf, part, 333)).etag()).toBe(want);
      expect((await hashStream(buf, part, 4096)).etag()).toBe(want);
      expect(etagOf(buf, part)).toBe(want);
    }
    const exact = randomBytes(part);
    expect((await hashStream(exact, part, 100)).etag()).toBe(md5(exact));
  });

  it('fails the stream when the byte count is not the expected one', async () => {
    await expect(hashStream(randomBytes(100), 1024, 10, 101)).rejects.toBeInstanceOf(SizeMismatchError);
  });
});
