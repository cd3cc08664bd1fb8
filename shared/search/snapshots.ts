import { DeleteObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/**
 * Where the index store (index-store.ts) keeps its snapshots. Apart from the store so that the
 * functions that only append to the log (DELETE /search/images, the S3 removal trigger) bundle no
 * S3 client (issue 16): they pass `logOnly` (index-store.ts).
 */
export interface SnapshotObjects {
  download(bucket: string, key: string): Promise<Uint8Array>;
  upload(bucket: string, key: string, bytes: Uint8Array): Promise<void>;
  /** Best effort: a leftover snapshot costs storage, not correctness. */
  remove(bucket: string, key: string): Promise<void>;
}

/** Multipart part / ranged-GET size for snapshots (≥ S3's 5 MiB minimum, ≤ fauxqs's 11 MiB request cap). */
export const PART_BYTES = 8 * 1024 * 1024;

export function s3Snapshots(s3: S3Client): SnapshotObjects {
  return {
    /** Ranged GETs in parallel: one S3 stream tops out far below what a Lambda can take in. */
    async download(bucket, key) {
      const get = async (from: number, to: number) => {
        const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${from}-${to}` }));
        return { bytes: await r.Body!.transformToByteArray(), range: r.ContentRange };
      };
      const first = await get(0, PART_BYTES - 1);
      const total = Number(/\/(\d+)$/.exec(first.range ?? '')?.[1] ?? first.bytes.byteLength);
      if (total <= first.bytes.byteLength) return first.bytes;
      const out = new Uint8Array(total);
      out.set(first.bytes, 0);
      const starts: number[] = [];
      for (let at = PART_BYTES; at < total; at += PART_BYTES) starts.push(at);
      let next = 0;
      await Promise.all(Array.from({ length: Math.min(8, starts.length) }, async () => {
        while (next < starts.length) {
          const at = starts[next++]!;
          const part = await get(at, Math.min(total, at + PART_BYTES) - 1);
          out.set(part.bytes, at);
        }
      }));
      return out;
    },
    /** Multipart in parallel: a 100k-face snapshot is ~400 MB (single PUTs are slow, and capped by emulators). */
    async upload(bucket, key, bytes) {
      await new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: bytes, ContentType: 'application/octet-stream' },
        partSize: PART_BYTES,
        queueSize: 4,
      }).done();
    },
    async remove(bucket, key) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    },
  };
}
