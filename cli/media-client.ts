import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pRetry, { AbortError } from 'p-retry';
import { request } from 'undici';
import type { FileView } from '../shared/media-store/store.js';

/**
 * The seed's client over the HTTP API: upload (one presigned PUT or parallel presigned parts),
 * size, ranged download, delete, groups. Used by the CLI, the e2e tests and the benchmark.
 */
export interface MediaClientOptions {
  api: string;
  key: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: unknown, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What the API answers for a file: the store's own view. */
export type { FileView } from '../shared/media-store/store.js';

export interface GroupView {
  name: string;
  bucket: string;
  status: string;
  files: number;
  bytes: number;
}

type Ticket =
  | { fileId: string; group: string; upload: { method: 'PUT'; url: string; headers: Record<string, string> } }
  | { fileId: string; group: string; uploadId: string; partSize: number; parts: Array<{ partNumber: number; url: string }> };

export interface UploadOptions {
  appId: string;
  userId: string;
  contentType?: string;
  fileName?: string;
  /** Parts in flight at once (default 4). */
  concurrency?: number;
  /** Called with the number of bytes just sent (for a progress bar); a retried part takes its bytes back. */
  onProgress?: (delta: number) => void;
  /** Called once the upload is planned. */
  onPlan?: (plan: { fileId: string; size: number; parts: number }) => void;
}

const TYPES: Record<string, string> = {
  '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/quicktime', '.mkv': 'video/x-matroska', '.webm': 'video/webm',
  '.ts': 'video/mp2t', '.avi': 'video/x-msvideo', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png',
  '.gif': 'image/gif', '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.txt': 'text/plain', '.json': 'application/json',
};
export const contentTypeOf = (file: string) => TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';

/** Counts bytes as they flow (progress). */
function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
}

export class MediaClient {
  private readonly api: string;
  constructor(private readonly o: MediaClientOptions) {
    this.api = o.api.replace(/\/+$/, '');
  }

  /** One API call; JSON in and out; non-2xx/3xx answers become ApiError with the server's message. */
  async call<T = any>(method: string, path: string, opts: { json?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: T; raw: Buffer }> {
    const headers: Record<string, string> = { 'x-api-key': this.o.key, ...(opts.headers ?? {}) };
    let body: string | undefined;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    }
    // A kept-alive connection the server closed while we were busy (e.g. calibrate detecting for seconds between
    // its GET and PUT) fails with a socket error before any answer: safe to send again when the method is idempotent.
    const idempotent = ['GET', 'HEAD', 'PUT', 'DELETE'].includes(method.toUpperCase());
    const res = await pRetry(
      async () => {
        try {
          return await request(this.api + path, { method: method as 'GET', headers, ...(body !== undefined ? { body } : {}) });
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (idempotent && (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) throw err;
          throw new AbortError(err as Error);
        }
      },
      { retries: 2, minTimeout: 100 },
    );
    const raw = Buffer.from(await res.body.arrayBuffer());
    let parsed: any;
    const type = String(res.headers['content-type'] ?? '');
    if (type.includes('json') && raw.length) {
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        parsed = undefined;
      }
    }
    if (res.statusCode >= 400) {
      const msg = parsed?.message ?? (raw.length ? raw.toString('utf8').slice(0, 200) : `HTTP ${res.statusCode}`);
      throw new ApiError(res.statusCode, parsed, `${method} ${path}: ${res.statusCode} ${msg}`);
    }
    return { status: res.statusCode, headers: res.headers, body: parsed as T, raw };
  }

  async upload(file: string, o: UploadOptions): Promise<FileView> {
    const size = (await stat(file)).size;
    const ticket = (await this.call<Ticket>('POST', '/media/uploads', {
      json: { appId: o.appId, userId: o.userId, fileName: o.fileName ?? basename(file), size, contentType: o.contentType ?? contentTypeOf(file) },
    })).body;
    const progress = o.onProgress ?? (() => undefined);
    if ('upload' in ticket) {
      o.onPlan?.({ fileId: ticket.fileId, size, parts: 1 });
      await this.putRange(ticket.upload.url, file, 0, size, ticket.upload.headers, progress);
      return (await this.call<FileView>('POST', `/media/uploads/${ticket.fileId}/complete`)).body;
    }
    o.onPlan?.({ fileId: ticket.fileId, size, parts: ticket.parts.length });
    const queue = [...ticket.parts];
    const done: Array<{ partNumber: number; etag: string }> = [];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) {
        const start = (p.partNumber - 1) * ticket.partSize;
        const end = Math.min(size, start + ticket.partSize);
        done.push({ partNumber: p.partNumber, etag: await this.putRange(p.url, file, start, end, {}, progress) });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, ticket.parts.length)) }, worker));
    done.sort((a, b) => a.partNumber - b.partNumber);
    return (await this.call<FileView>('POST', `/media/uploads/${ticket.fileId}/complete`, { json: { parts: done } })).body;
  }

  /** PUTs bytes [start, end) of a file to a presigned URL, retrying; returns the ETag. */
  private putRange(url: string, file: string, start: number, end: number, headers: Record<string, string>, progress: (n: number) => void): Promise<string> {
    return pRetry(async () => {
      let sent = 0;
      const body = createReadStream(file, { start, end: end - 1, highWaterMark: 1024 * 1024 }).pipe(counter((n) => {
        sent += n;
        progress(n);
      }));
      try {
        const res = await request(url, { method: 'PUT', body, headers: { ...headers, 'content-length': String(end - start) } });
        const text = await res.body.text();
        if (res.statusCode !== 200) {
          const err = new Error(`upload of bytes ${start}-${end - 1} answered ${res.statusCode}: ${text.slice(0, 200)}`);
          throw res.statusCode >= 500 || res.statusCode === 408 ? err : new AbortError(err);
        }
        return String(res.headers.etag ?? '');
      } catch (err) {
        progress(-sent);
        throw err;
      }
    }, { retries: 4, minTimeout: 200, randomize: true });
  }

  async size(fileId: string): Promise<number> {
    const r = await this.call('HEAD', `/media/${fileId}`);
    return Number(r.headers['content-length'] ?? r.headers['x-media-size']);
  }

  async head(fileId: string): Promise<{ size: number; contentType: string; etag: string; acceptRanges: string }> {
    const r = await this.call('HEAD', `/media/${fileId}`);
    return {
      size: Number(r.headers['content-length'] ?? r.headers['x-media-size']),
      contentType: String(r.headers['content-type'] ?? ''),
      etag: String(r.headers.etag ?? ''),
      acceptRanges: String(r.headers['accept-ranges'] ?? ''),
    };
  }

  /** The presigned URL GET /media/{fileId} redirects to (hand it to a player such as VLC). */
  async url(fileId: string): Promise<string> {
    const r = await this.call('GET', `/media/${fileId}`);
    const loc = r.headers.location;
    if (r.status !== 302 || !loc) throw new ApiError(r.status, r.body, `GET /media/${fileId}: expected a redirect, got ${r.status}`);
    return String(loc);
  }

  /** One ranged read through /content: at most what the server answers in one go (it may cap it). */
  async range(fileId: string, start: number, end?: number): Promise<{ bytes: Buffer; start: number; end: number; total: number }> {
    const r = await this.call('GET', `/media/${fileId}/content`, { headers: { range: `bytes=${start}-${end ?? ''}` } });
    return { bytes: r.raw, ...parseContentRange(String(r.headers['content-range'])) };
  }

  /**
   * Downloads a file, or `size` bytes from `offset` (size 0/absent: to the end), into `out`.
   * Whole files follow the redirect to S3; ranges go through /content, asking again until done.
   */
  async download(fileId: string, out: Writable, o: { offset?: number; size?: number; onProgress?: (n: number) => void; onSize?: (n: number) => void } = {}): Promise<number> {
    const progress = o.onProgress ?? (() => undefined);
    if (o.offset === undefined && !o.size) {
      const url = await this.url(fileId);
      const res = await request(url, { method: 'GET' });
      if (res.statusCode !== 200) throw new ApiError(res.statusCode, undefined, `download answered ${res.statusCode}: ${(await res.body.text()).slice(0, 200)}`);
      const total = Number(res.headers['content-length']);
      o.onSize?.(total);
      let n = 0;
      await pipeline(res.body, counter((k) => {
        n += k;
        progress(k);
      }), out, { end: false });
      if (n !== total) throw new Error(`download ended after ${n} of ${total} bytes`);
      return n;
    }
    let offset = o.offset ?? 0;
    let remaining = o.size || Infinity;
    let written = 0;
    let announced = false;
    while (remaining > 0) {
      const q = `offset=${offset}${Number.isFinite(remaining) ? `&size=${remaining}` : ''}`;
      const r = await this.call('GET', `/media/${fileId}/content?${q}`);
      const cr = parseContentRange(String(r.headers['content-range']));
      if (!announced) {
        o.onSize?.(Math.min(remaining, cr.total - offset));
        announced = true;
      }
      if (r.raw.length !== cr.end - cr.start + 1) throw new Error(`answer of ${r.raw.length} bytes for ${r.headers['content-range']}`);
      if (!out.write(r.raw)) await new Promise((res) => out.once('drain', res));
      progress(r.raw.length);
      written += r.raw.length;
      offset = cr.end + 1;
      remaining -= r.raw.length;
      if (offset >= cr.total) break;
    }
    return written;
  }

  async delete(fileId: string): Promise<{ fileId: string; status: string; alreadyDeleted: boolean }> {
    return (await this.call('DELETE', `/media/${fileId}`)).body;
  }

  async groups(): Promise<GroupView[]> {
    return (await this.call<{ groups: GroupView[] }>('GET', '/groups')).body.groups;
  }

  async list(appId: string, userId: string, opts: { limit?: number; cursor?: string } = {}): Promise<{ files: FileView[]; cursor?: string }> {
    const q = new URLSearchParams({ appId, userId, ...(opts.limit ? { limit: String(opts.limit) } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}) });
    return (await this.call('GET', `/media?${q}`)).body;
  }
}

export function parseContentRange(h: string): { start: number; end: number; total: number } {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(h);
  if (!m) throw new Error(`unexpected Content-Range: ${h}`);
  return { start: Number(m[1]), end: Number(m[2]), total: Number(m[3]) };
}
