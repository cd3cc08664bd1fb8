import pMap from 'p-map';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ddb, sqs } from '../../../shared/platform/aws.js';
import { ImageIndex } from '../../../shared/ftp/images.js';
import { queueUrl } from '../../../shared/platform/sqs/queues.js';
import { stackInfo } from '../../support/env.js';
import { api, eventually } from '../../support/http.js';
import { resource } from '../../support/names.js';

export const peers = () => stackInfo().peers;

const p2 = (n: number) => String(n).padStart(2, '0');

export interface CamFile {
  rel: string;
  local: string;
  fileName: string;
  deviceId: string;
  bytes: Buffer;
}

/** A capture tree in the e2e FTP server's root (the `cam` user, FTP server `e2e`). */
export function writeCaptures(o: { root?: string; devices: string[]; hours: Date[]; captures: number; size?: () => number; mtime?: Date }): CamFile[] {
  const root = o.root ?? peers().ftpRoot!;
  const out: CamFile[] = [];
  for (const deviceId of o.devices) {
    for (const h of o.hours) {
      const [y, M, d, H] = hourParts(h);
      // The camera's sequence field keeps names unique across devices in these tests (real cameras may clash: 409).
      const seq0 = 10_000 + Math.floor(Math.random() * 80_000);
      for (let c = 0; c < o.captures; c++) {
        for (const [n, ext] of [[0, 'jpg'], [1, 'jpg'], [0, 'json']] as const) {
          const rel = `ftpdata/${deviceId}/${y}/${M}/${d}/${H}/${y}_${M}_${d}_${H}_${p2(c % 60)}_${p2((c * 7) % 60)}_${seq0 + c}_${n}.${ext}`;
          const bytes = randomBytes(o.size?.() ?? 2000 + Math.floor(Math.random() * 6000));
          const local = join(root, rel);
          mkdirSync(dirname(local), { recursive: true });
          writeFileSync(local, bytes);
          if (o.mtime) utimesSync(local, o.mtime, o.mtime);
          out.push({ rel, local, fileName: rel.split('/').pop()!, deviceId, bytes });
        }
      }
    }
  }
  return out;
}

const hourParts = (h: Date) => [h.getUTCFullYear(), p2(h.getUTCMonth() + 1), p2(h.getUTCDate()), p2(h.getUTCHours())] as const;

/** The `YYYY/MM/DD/HH/` directory (UTC) a capture of hour `h` sits in: match files of one hour by it. */
export const hourDir = (h: Date) => `/${hourParts(h).join('/')}/`;

export const device = (tag: string) => `${tag}${randomUUID().replace(/-/g, '').slice(0, 10)}`;
export const hoursAgo = (n: number) => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - n * 3_600_000);

export async function ftpControl(action: 'stop' | 'start'): Promise<void> {
  const r = await fetch(`${peers().ftpControl}/${action}`, { method: 'POST' });
  if (r.status !== 200) throw new Error(`ftp peer ${action}: ${r.status}`);
}

let lambda: LambdaClient | undefined;
export async function invoke<T>(fn: string, event: unknown = {}): Promise<T> {
  lambda ??= new LambdaClient({ region: 'us-east-1', endpoint: stackInfo().lambdaUrl, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const r = await lambda.send(new InvokeCommand({ FunctionName: `panoptes-local-${fn}`, Payload: Buffer.from(JSON.stringify(event)) }));
  const text = Buffer.from(r.Payload ?? new Uint8Array()).toString('utf8');
  if (r.FunctionError) throw new Error(`${fn} failed: ${text}`);
  return JSON.parse(text) as T;
}

export async function image(fileName: string) {
  return api('GET', `/images/${encodeURIComponent(fileName)}`);
}

/** Messages for these paths in the DLQ (peeked, left in place). */
export async function inDlq(paths: string[]): Promise<string[]> {
  const url = await queueUrl(resource('ftpMigrateDlq'));
  const found: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
    for (const m of r.Messages ?? []) {
      const body = JSON.parse(m.Body ?? '{}') as { path?: string };
      if (body.path && paths.includes(body.path)) found.push(body.path);
    }
    if (!r.Messages?.length) break;
  }
  return found;
}

/** Waits until the index has every file in S3 (read from the table: polling the API for hundreds of files would start a container per request). */
export async function allInS3(files: Array<{ fileName: string; deviceId: string }>, what: string, timeoutMs = 180_000): Promise<void> {
  const index = new ImageIndex(ddb(), resource('ftpImages'));
  await eventually(async () => {
    const items = await pMap(files, (f) => index.get(f.fileName, f.deviceId), { concurrency: 16 });
    return items.every((i) => i?.location === 's3');
  }, what, timeoutMs, 1000);
}
