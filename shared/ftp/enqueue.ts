import pMap from 'p-map';
import * as z from 'zod';
import { publicBase, type ServerConfig, type Servers } from './config.js';
import { ImageIndex } from './images.js';
import { sendBatch } from '../platform/sqs/queues.js';
import type { FtpReadRuntime } from './settings.js';
import { ftpUrlFor, parsePath, PathError, type ParsedPath } from './layout.js';

/** The `ftp-migrate` queue's message (the seed's Kafka topic A: <file name, FTP address>). */
export const migrateMessage = z.object({
  server: z.string().min(1).max(32),
  path: z.string().min(1).max(512),
  fromVersion: z.number().int().min(1).optional(),
});
export type MigrateMessage = z.infer<typeof migrateMessage>;

export const MAX_NOTIFY_ITEMS = 500;

export interface Problem {
  path: string;
  message: string;
}

export interface Validated {
  server: ServerConfig;
  p: ParsedPath;
}

/** Checks every notified item; returns all problems (nothing is queued unless there are none). */
export function validateNotify(items: Array<{ server: string; path: string }>, servers: Servers, single = false): { ok: Validated[]; problems: Problem[] } {
  const ok: Validated[] = [];
  const problems: Problem[] = [];
  items.forEach((it, i) => {
    const at = single ? 'body' : `body[${i}]`;
    const server = servers.get(it.server);
    if (!server) {
      problems.push({ path: `${at}.server`, message: `unknown FTP server ${JSON.stringify(it.server)}` });
      return;
    }
    try {
      ok.push({ server, p: parsePath(it.path, server.root, server.utcOffset) });
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      problems.push({ path: `${at}.path`, message: err.message });
    }
  });
  return { ok, problems };
}

export interface EnqueueDeps {
  index: ImageIndex;
  send: (messages: MigrateMessage[]) => Promise<void>;
  now?: () => number;
}

/**
 * Registers each file in the index as on FTP (so readers get its FTP URL at once), then queues
 * its migration. Registration first: a queued file is always in the index. Duplicates are fine
 * (registration is put-if-absent, migration is idempotent).
 */
export async function enqueue(d: EnqueueDeps, files: Validated[]): Promise<{ queued: number; registered: number }> {
  const now = (d.now ?? Date.now)();
  const fresh = await pMap(files, ({ server, p }) => d.index.register(p, server.name, ftpUrlFor(publicBase(server), server.root, p.rel), now), { concurrency: 16 });
  await d.send(files.map(({ server, p }) => ({ server: server.name, path: p.rel })));
  return { queued: files.length, registered: fresh.filter(Boolean).length };
}

/**
 * `enqueue` over a runtime's index and migrate queue (notify and scan). Here rather than in
 * runtime.ts so that notify, which never logs in to a server, bundles no FTP client (issue 16).
 */
export function enqueuer({ settings, index }: Pick<FtpReadRuntime, 'settings' | 'index'>): (files: Validated[]) => Promise<{ queued: number; registered: number }> {
  const send = (msgs: MigrateMessage[]) => sendBatch(settings.FTP_MIGRATE_QUEUE, msgs.map((body) => ({ body })));
  return (files) => enqueue({ index, send }, files);
}
