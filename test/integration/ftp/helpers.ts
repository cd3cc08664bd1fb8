import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Client } from 'basic-ftp';
import { ddb, s3, s3ForMd5Uploads } from '../../../shared/platform/aws.js';
import { parseServers, Passwords, type ServerConfig } from '../../../shared/ftp/config.js';
import { connectFtp } from '../../../shared/ftp/client.js';
import { ImageIndex } from '../../../shared/ftp/images.js';
import type { MigrateDeps } from '../../../shared/ftp/migrate.js';
import { FtpPools } from '../../../shared/ftp/pool.js';
import { FtpState } from '../../../shared/ftp/state.js';
import type { TestFtpServer } from '../../support/peers/ftp.js';
import { resource } from '../../support/names.js';

export const BUCKET = resource('ftpMedia');
export const index = () => new ImageIndex(ddb(), resource('ftpImages'));
export const state = () => new FtpState(ddb(), resource('ftpState'));

const p2 = (n: number) => String(n).padStart(2, '0');

export interface TreeFile {
  rel: string;
  local: string;
  fileName: string;
  deviceId: string;
  bytes: Buffer;
}

/**
 * Writes a camera tree: for each device and hour, `captures` captures of big + small + json.
 * Sizes are small unless `size` says otherwise; mtimes can be set (scanner tests).
 */
export function writeTree(root: string, o: { devices: string[]; hours: Date[]; captures: number; size?: () => number; mtime?: Date }): TreeFile[] {
  const out: TreeFile[] = [];
  for (const deviceId of o.devices) {
    for (const h of o.hours) {
      for (let c = 0; c < o.captures; c++) {
        const y = h.getUTCFullYear(), M = p2(h.getUTCMonth() + 1), d = p2(h.getUTCDate()), H = p2(h.getUTCHours());
        const base = `${y}_${M}_${d}_${H}_${p2((c * 7) % 60)}_${p2((c * 13) % 60)}_${100 + c}`;
        for (const [n, ext] of [[0, 'jpg'], [1, 'jpg'], [0, 'json']] as const) {
          const rel = `ftpdata/${deviceId}/${y}/${M}/${d}/${H}/${base}_${n}.${ext}`;
          out.push(writeFile(root, rel, randomBytes(o.size?.() ?? 1000 + Math.floor(Math.random() * 3000)), o.mtime));
        }
      }
    }
  }
  return out;
}

export function writeFile(root: string, rel: string, bytes: Buffer, mtime?: Date): TreeFile {
  const local = join(root, rel);
  mkdirSync(dirname(local), { recursive: true });
  writeFileSync(local, bytes);
  if (mtime) utimesSync(local, mtime, mtime);
  const parts = rel.split('/');
  return { rel, local, fileName: parts[parts.length - 1]!, deviceId: parts[1]!, bytes };
}

export const uniqueDevice = (tag: string) => `${tag}${randomUUID().replace(/-/g, '').slice(0, 12)}`;

export function serversFor(ftp: TestFtpServer, user: string, extra: Record<string, unknown> = {}, name = 'it') {
  return parseServers(JSON.stringify({ [name]: { host: ftp.host, port: ftp.port, user, root: '/', ...extra } }));
}

export function depsFor(ftp: TestFtpServer, user: string, o: { extra?: Record<string, unknown>; name?: string; connect?: (s: ServerConfig, pw: string) => Promise<Client>; partSize?: number; owner?: string } = {}): MigrateDeps & { pools: FtpPools } {
  const servers = serversFor(ftp, user, o.extra ?? {}, o.name ?? 'it');
  const passwords = new Passwords({ env: { FTP_PASSWORDS: JSON.stringify({ [o.name ?? 'it']: ftp.users[user]!.password }), STAGE: 'local' } });
  return {
    pools: new FtpPools(servers, passwords, o.connect ?? connectFtp),
    index: index(),
    s3: s3ForMd5Uploads(),
    bucket: BUCKET,
    leaseMs: 60_000,
    ...(o.partSize ? { partSize: o.partSize } : {}),
    ...(o.owner ? { owner: o.owner } : {}),
  };
}

export async function objectBytes(key: string): Promise<Buffer> {
  const r = await s3().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

export async function keysUnder(prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3().send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    out.push(...(r.Contents ?? []).map((o) => o.Key!));
    token = r.NextContinuationToken;
  } while (token);
  return out.sort();
}
