import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pRetry, { AbortError } from 'p-retry';
import { request } from 'undici';
import type { FileView } from '../shared/media-store/store.js';
import { ApiError, apiClient, unwrap, type ApiClient } from './api/client.js';

/**
 * The seed's client over the HTTP API: upload (one presigned PUT or parallel presigned parts),
 * size, ranged download, delete, groups. Used by the CLI, the e2e tests and the benchmark. API calls
 * go through the typed client generated from the OpenAPI document (./api/client.ts); the presigned
 * S3 URLs it hands out are plain HTTP.
 */
export interface MediaClientOptions {
  api: string;
  key: string;
}

export { ApiError } from './api/client.js';

/** What the API answers for a file: the store's own view. */
export type { FileView } from '../shared/media-store/store.js';

export interface GroupView {
  name: string;
  bucket: string;
  status: string;
  files: number;
  bytes: number;
}

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
  /** The typed API client (openapi-fetch): every path, parameter and answer as the document declares it. */
  readonly http: ApiClient;
  constructor(o: MediaClientOptions) {
    this.http = apiClient(o);
  }

  async upload(file: string, o: UploadOptions): Promise<FileView> {
    const size = (await stat(file)).size;
    const ticket = unwrap(await this.http.POST('/media/uploads', {
      body: { appId: o.appId, userId: o.userId, fileName: o.fileName ?? basename(file), size, contentType: o.contentType ?? contentTypeOf(file) },
    }), 'POST /media/uploads');
    const progress = o.onProgress ?? (() => undefined);
    const complete = async (parts?: Array<{ partNumber: number; etag: string }>) => unwrap(await this.http.POST('/media/uploads/{fileId}/complete', {
      params: { path: { fileId: ticket.fileId } },
      ...(parts ? { body: { parts } } : {}),
    }), `POST /media/uploads/${ticket.fileId}/complete`) as FileView;
    if ('upload' in ticket) {
      o.onPlan?.({ fileId: ticket.fileId, size, parts: 1 });
      await this.putRange(ticket.upload.url, file, 0, size, ticket.upload.headers, progress);
      return complete();
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
    return complete(done);
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

  private async headers(fileId: string): Promise<Headers> {
    const r = await this.http.HEAD('/media/{fileId}', { params: { path: { fileId } } });
    unwrap(r, `HEAD /media/${fileId}`);
    return r.response.headers;
  }

  async size(fileId: string): Promise<number> {
    const h = await this.headers(fileId);
    return Number(h.get('content-length') ?? h.get('x-media-size'));
  }

  async head(fileId: string): Promise<{ size: number; contentType: string; etag: string; acceptRanges: string }> {
    const h = await this.headers(fileId);
    return {
      size: Number(h.get('content-length') ?? h.get('x-media-size')),
      contentType: h.get('content-type') ?? '',
      etag: h.get('etag') ?? '',
      acceptRanges: h.get('accept-ranges') ?? '',
    };
  }

  /** The presigned URL GET /media/{fileId} redirects to (hand it to a player such as VLC). */
  async url(fileId: string): Promise<string> {
    const r = await this.http.GET('/media/{fileId}', { params: { path: { fileId } } });
    unwrap(r, `GET /media/${fileId}`);
    const loc = r.response.headers.get('location');
    if (r.response.status !== 302 || !loc) throw new ApiError(r.response.status, r.error, `GET /media/${fileId}: expected a redirect, got ${r.response.status}`);
    return loc;
  }

  /** Bytes of /content: a Range header or ?offset=&size= (the server may cap the answer). */
  private async content(fileId: string, o: { range?: string; offset?: number; size?: number }): Promise<{ bytes: Buffer; contentRange: string }> {
    const r = await this.http.GET('/media/{fileId}/content', {
      params: { path: { fileId }, query: { ...(o.offset !== undefined ? { offset: o.offset } : {}), ...(o.size !== undefined ? { size: o.size } : {}) } },
      ...(o.range ? { headers: { range: o.range } } : {}),
      parseAs: 'arrayBuffer',
    });
    const data = unwrap(r, `GET /media/${fileId}/content`);
    return { bytes: Buffer.from(data as ArrayBuffer), contentRange: r.response.headers.get('content-range') ?? '' };
  }

  /** One ranged read through /content: at most what the server answers in one go (it may cap it). */
  async range(fileId: string, start: number, end?: number): Promise<{ bytes: Buffer; start: number; end: number; total: number }> {
    const r = await this.content(fileId, { range: `bytes=${start}-${end ?? ''}` });
    return { bytes: r.bytes, ...parseContentRange(r.contentRange) };
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
      const r = await this.content(fileId, { offset, ...(Number.isFinite(remaining) ? { size: remaining } : {}) });
      const cr = parseContentRange(r.contentRange);
      if (!announced) {
        o.onSize?.(Math.min(remaining, cr.total - offset));
        announced = true;
      }
      if (r.bytes.length !== cr.end - cr.start + 1) throw new Error(`answer of ${r.bytes.length} bytes for ${r.contentRange}`);
      if (!out.write(r.bytes)) await new Promise((res) => out.once('drain', res));
      progress(r.bytes.length);
      written += r.bytes.length;
      offset = cr.end + 1;
      remaining -= r.bytes.length;
      if (offset >= cr.total) break;
    }
    return written;
  }

  async delete(fileId: string): Promise<{ fileId: string; status: string; alreadyDeleted: boolean }> {
    return unwrap(await this.http.DELETE('/media/{fileId}', { params: { path: { fileId } } }), `DELETE /media/${fileId}`);
  }

  async groups(): Promise<GroupView[]> {
    return unwrap(await this.http.GET('/groups'), 'GET /groups').groups;
  }

  async list(appId: string, userId: string, opts: { limit?: number; cursor?: string } = {}): Promise<{ files: FileView[]; cursor?: string }> {
    const query = { appId, userId, ...(opts.limit ? { limit: opts.limit } : {}), ...(opts.cursor ? { cursor: opts.cursor } : {}) };
    return unwrap(await this.http.GET('/media', { params: { query } }), 'GET /media') as { files: FileView[]; cursor?: string };
  }
}

export function parseContentRange(h: string): { start: number; end: number; total: number } {
  const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(h);
  if (!m) throw new Error(`unexpected Content-Range: ${h}`);
  return { start: Number(m[1]), end: Number(m[2]), total: Number(m[3]) };
}
