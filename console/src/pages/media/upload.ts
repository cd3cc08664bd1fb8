/**
 * Browser upload through the media API, the way cli/media-client.ts does it: POST /media/uploads
 * plans one presigned PUT or presigned parts; parts go up several at once, each part's ETag is read
 * from its answer, then POST /media/uploads/{fileId}/complete. XMLHttpRequest, not fetch(), because
 * only it reports upload progress.
 */
import { api, call, storageUrl, type Schemas } from '../../api.js';

export type MediaFile = Schemas['MediaFile'];
const PARALLEL = 4;

/** PUTs a blob; resolves with the answer's ETag. `onBytes(n)` gets the bytes sent so far of this blob. */
function put(url: string, body: Blob, headers: Record<string, string>, onBytes: (n: number) => void, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', storageUrl(url));
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) return reject(new Error(`storage answered HTTP ${xhr.status} to a part`));
      onBytes(body.size);
      // On AWS the bucket's CORS exposes ETag (infra/resources/media.yml); locally /storage is same-origin.
      const etag = xhr.getResponseHeader('ETag');
      if (!etag) return reject(new Error('storage answered without an ETag (is it exposed by CORS?)'));
      resolve(etag);
    };
    xhr.onerror = () => reject(new Error('the upload to storage failed (network)'));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

export interface UploadInput {
  file: File;
  appId: string;
  userId: string;
  onProgress(sent: number, total: number): void;
  onPlan?(parts: number): void;
  signal: AbortSignal;
}

export async function upload(u: UploadInput): Promise<MediaFile> {
  const { file } = u;
  const ticket = await call(api().POST('/media/uploads', {
    body: { appId: u.appId, userId: u.userId, fileName: file.name, size: file.size, contentType: file.type || 'application/octet-stream' },
  }));
  const complete = (parts?: { partNumber: number; etag: string }[]) =>
    call(api().POST('/media/uploads/{fileId}/complete', { params: { path: { fileId: ticket.fileId } }, body: parts ? { parts } : {} }));

  if ('upload' in ticket) {
    u.onPlan?.(1);
    await put(ticket.upload.url, file, ticket.upload.headers, (n) => u.onProgress(n, file.size), u.signal);
    return complete();
  }

  u.onPlan?.(ticket.parts.length);
  const sent = new Map<number, number>();
  const report = () => u.onProgress([...sent.values()].reduce((a, b) => a + b, 0), file.size);
  const queue = [...ticket.parts];
  const done: { partNumber: number; etag: string }[] = [];
  // A few workers pull parts off one queue: at most PARALLEL parts in flight.
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const start = (p.partNumber - 1) * ticket.partSize;
      const blob = file.slice(start, Math.min(file.size, start + ticket.partSize));
      const part = p;
      const etag = await put(part.url, blob, {}, (n) => (sent.set(part.partNumber, n), report()), u.signal);
      done.push({ partNumber: part.partNumber, etag });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, ticket.parts.length) }, worker));
  return complete(done.sort((a, b) => a.partNumber - b.partNumber));
}
