import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Client } from 'basic-ftp';
import { PermanentError } from '../platform/errors.js';
import type { ServerConfig } from './config.js';
import { publicBase } from './config.js';
import { ChecksumMismatchError, EtagHasher, SizeMismatchError, stripQuotes } from './etag.js';
import { ImageIndex, type ImageItem } from './images.js';
import { contentTypeOf, ftpAbsPath, ftpUrlFor, parsePath, s3KeyFor, type ParsedPath } from './layout.js';
import type { FtpPools } from './pool.js';
import { throttled } from './bandwidth.js';
import { s3ForMd5Uploads } from '../platform/aws.js';
import type { FtpRuntime } from './runtime.js';
import { timed, type StepTimes } from './profile.js';

/**
 * A runtime's migration dependencies. The S3 client is taken here rather than in runtime.ts, so
 * that functions which never migrate (scan) bundle no S3 client (issue 16).
 */
export function migrateDeps(rt: FtpRuntime): MigrateDeps {
  return { pools: rt.pools, index: rt.index, s3: s3ForMd5Uploads(), bucket: rt.settings.FTP_BUCKET, leaseMs: rt.settings.FTP_LEASE, partSize: rt.settings.FTP_PART_SIZE };
}

/** What migration needs; built once per container (migrateDeps) or by the CLI and tests. */
export interface MigrateDeps {
  pools: FtpPools;
  index: ImageIndex;
  /** Built with MD5_UPLOADS (shared/platform/aws.ts): every upload here sends or checks its MD5 itself. */
  s3: S3Client;
  bucket: string;
  /** Owner id of leases taken by this process. */
  owner?: string;
  /** How long a claim holds before another worker may take over (≥ a migration's duration). */
  leaseMs?: number;
  /** Files up to this size go up in one PutObject from memory; larger ones stream in parts of this size. */
  partSize?: number;
  now?: () => number;
  /** Timing counters per step (bench/profiling only). */
  times?: StepTimes;
}

export interface MigrateRequest {
  server: string;
  path: string;
  /** Re-migration of a file already in S3 whose FTP copy changed: the version seen. */
  fromVersion?: number;
}

export type MigrateResult =
  | { status: 'migrated'; fileName: string; size: number; md5: string; version: number; s3Key: string }
  | { status: 'already'; fileName: string; item: ImageItem }
  | { status: 'busy'; fileName: string; leaseUntil: number };

/** Thrown by callers that must retry later (another worker holds the file). */
export class BusyError extends Error {
  constructor(fileName: string) {
    super(`${fileName} is being migrated by another worker`);
    this.name = 'BusyError';
  }
}

const DEFAULT_PART = 8 * 1024 * 1024;
const processOwner = `${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'proc'}:${randomUUID().slice(0, 8)}`;

export function parseFor(server: ServerConfig, path: string): ParsedPath {
  try {
    return parsePath(path, server.root, server.utcOffset);
  } catch (err) {
    throw new PermanentError(`${server.name}:${path}: ${(err as Error).message}`);
  }
}

/**
 * Copies one FTP file to S3 and switches the index to it. Idempotent: a file already in S3 (or
 * held by another worker) is reported, not copied again. The index switches only after the byte
 * count matched the FTP size and S3's ETag matched the MD5 computed on the way; any mismatch throws.
 */
export async function migrateFile(d: MigrateDeps, req: MigrateRequest): Promise<MigrateResult> {
  const server = d.pools.server(req.server);
  const p = parseFor(server, req.path);
  const now = d.now ?? Date.now;
  const owner = d.owner ?? processOwner;
  const key = { fileName: p.fileName, deviceId: p.deviceId };
  const ftpUrl = ftpUrlFor(publicBase(server), server.root, p.rel);
  let fromVersion = req.fromVersion;

  let claimed: ImageItem | undefined;
  for (let attempt = 0; attempt < 3 && !claimed; attempt++) {
    claimed = await d.index.claim({ p, server: server.name, ftpUrl, owner, now: now(), leaseMs: d.leaseMs ?? 300_000, ...(fromVersion !== undefined ? { fromVersion } : {}) });
    if (claimed) break;
    const item = await d.index.get(p.fileName, p.deviceId);
    if (!item) continue;
    if (item.server !== server.name || item.ftpPath !== p.rel) {
      throw new PermanentError(`${p.fileName} of ${p.deviceId} is indexed from ${item.server}:${item.ftpPath}, not ${server.name}:${p.rel}`);
    }
    if (item.leaseUntil !== undefined && item.leaseUntil >= now()) return { status: 'busy', fileName: p.fileName, leaseUntil: item.leaseUntil };
    if (item.location === 's3') {
      // The copy was deleted from FTP and the file is back (re-uploaded): it is a new version.
      if (fromVersion === undefined && item.ftpDeletedAt) {
        fromVersion = item.version ?? 1;
        continue;
      }
      if (fromVersion === undefined || item.version !== fromVersion) return { status: 'already', fileName: p.fileName, item };
    }
    // Lease expired or released in between: try again.
  }
  if (!claimed) throw new Error(`could not claim ${p.fileName}: index kept changing`);

  const version = (claimed.version ?? 0) + 1;
  const s3Key = s3KeyFor(p, version);
  try {
    const copied = await copyToS3(d, server, p, s3Key);
    const ok = await d.index.switchToS3(key, owner, { s3Key, version, now: now(), ...copied });
    // Lease lost (we were slower than leaseMs): whoever took over switches; retry later to see.
    if (!ok) return { status: 'busy', fileName: p.fileName, leaseUntil: now() };
    return { status: 'migrated', fileName: p.fileName, size: copied.size, md5: copied.md5, version, s3Key };
  } catch (err) {
    await d.index.release(key, owner, (err as Error).message);
    throw err;
  }
}

export interface Copied {
  size: number;
  md5: string;
  etag: string;
  ftpModifiedAt?: string;
}

/**
 * FTP → S3 for one file, verified: the byte count must equal the FTP size (from SIZE, or from the
 * directory listing when the caller just listed it) and S3's ETag the MD5 computed on the way.
 * The modification time comes from MDTM, or from the listing when it has seconds (MLSD).
 */
export async function copyToS3(d: MigrateDeps, server: ServerConfig, p: ParsedPath, s3Key: string, listedSize?: number, listedMtime?: string): Promise<Copied> {
  const abs = ftpAbsPath(server.root, p.rel);
  const partSize = d.partSize ?? DEFAULT_PART;
  const meta = { 'ftp-server': server.name, 'capture-time': p.captureTime };
  const contentType = contentTypeOf(p.fileName);

  const t = d.times;
  const bucket = d.pools.bandwidth(server.name);
  const limit = <W extends Writable>(w: W): Writable => (bucket ? throttled(bucket, w) : w);
  const asked = performance.now();
  const got = await d.pools.use(server.name, async (c) => {
    t?.add('ftp: wait for a connection', performance.now() - asked);
    const size = listedSize ?? (await timed(t, 'ftp: SIZE', () => c.size(abs)));
    // A listing with seconds (MLSD) gives what MDTM would; coarser listings do not.
    const ftpModifiedAt = listedMtime ?? (await timed(t, 'ftp: MDTM', () => lastMod(c, abs)));
    if (size > partSize) {
      // Large: stream FTP → S3 in parts while holding the connection; the hasher fails the
      // stream if the byte count is off, which aborts the multipart upload.
      const hasher = new EtagHasher(partSize, size);
      const upload = new Upload({
        client: d.s3,
        params: { Bucket: d.bucket, Key: s3Key, Body: hasher, ContentType: contentType, Metadata: meta },
        partSize,
        queueSize: 2,
        leavePartsOnError: false,
      });
      const done = upload.done();
      try {
        await c.downloadTo(limit(hasher), abs);
      } catch (err) {
        hasher.destroy(err as Error);
        await upload.abort().catch(() => undefined);
        await done.catch(() => undefined);
        throw err;
      }
      await done;
      const head = await d.s3.send(new HeadObjectCommand({ Bucket: d.bucket, Key: s3Key }));
      const etag = hasher.etag();
      if (head.ContentLength !== size) throw new SizeMismatchError(size, head.ContentLength ?? -1);
      if (stripQuotes(head.ETag) !== etag) throw new ChecksumMismatchError(etag, stripQuotes(head.ETag));
      return { streamed: true as const, size, md5: hasher.md5Hex!, etag, ...(ftpModifiedAt ? { ftpModifiedAt } : {}) };
    }
    const buf = await timed(t, 'ftp: RETR (EPSV + transfer)', () => downloadToBuffer(c, abs, size, limit));
    return { streamed: false as const, buf, size, ...(ftpModifiedAt ? { ftpModifiedAt } : {}) };
  });
  if (got.streamed) return { size: got.size, md5: got.md5, etag: got.etag, ...(got.ftpModifiedAt ? { ftpModifiedAt: got.ftpModifiedAt } : {}) };

  // Small: the FTP connection is already back in the pool while S3 receives the bytes.
  const t1 = performance.now();
  const digest = createHash('md5').update(got.buf).digest();
  t?.add('md5', performance.now() - t1);
  const md5 = digest.toString('hex');
  const put = await timed(t, 's3: PutObject', () => d.s3.send(unsignedPayload(new PutObjectCommand({
    Bucket: d.bucket, Key: s3Key, Body: got.buf, ContentLength: got.size, ContentType: contentType,
    ContentMD5: digest.toString('base64'), Metadata: meta,
  }))));
  const stored = stripQuotes(put.ETag);
  if (stored !== md5) throw new ChecksumMismatchError(md5, stored);
  return { size: got.size, md5, etag: stored, ...(got.ftpModifiedAt ? { ftpModifiedAt: got.ftpModifiedAt } : {}) };
}

/**
 * SigV4 without hashing the body: Content-MD5 already makes S3 reject a body that differs, so the
 * SHA-256 the signer would compute is a third pass over every byte (with MD5 and the SDK's CRC32,
 * which MD5_UPLOADS leaves out) for no extra safety.
 */
function unsignedPayload(cmd: PutObjectCommand): PutObjectCommand {
  cmd.middlewareStack.add((next) => (args) => {
    const req = args.request as { headers?: Record<string, string> };
    if (req.headers) req.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    return next(args);
  }, { step: 'build', name: 'unsignedPayload' });
  return cmd;
}

async function lastMod(c: Client, abs: string): Promise<string | undefined> {
  try {
    return (await c.lastMod(abs)).toISOString();
  } catch (err) {
    // Servers without MDTM: cleanup then compares sizes only.
    if ((err as { code?: number }).code === 502 || (err as { code?: number }).code === 500) return undefined;
    throw err;
  }
}

async function downloadToBuffer(c: Client, abs: string, size: number, limit: (w: Writable) => Writable): Promise<Buffer> {
  // One buffer of the listed size, filled as chunks arrive: the socket's chunks die young
  // instead of living until a concat (less GC per file); a longer file fails the size check.
  const buf = Buffer.allocUnsafe(size);
  let n = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (n + chunk.length <= size) chunk.copy(buf, n);
      n += chunk.length;
      cb();
    },
  });
  // basic-ftp ends the destination again after the pipeline did; Node then builds an
  // ERR_STREAM_ALREADY_FINISHED error (with a stack) per file for nothing.
  const end = sink.end.bind(sink) as (...a: unknown[]) => Writable;
  sink.end = ((...a: unknown[]) => (sink.writableEnded ? sink : end(...a))) as typeof sink.end;
  await c.downloadTo(limit(sink), abs);
  if (n !== size) throw new SizeMismatchError(size, n);
  return buf;
}
