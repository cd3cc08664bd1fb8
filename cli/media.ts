import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { MediaClient } from './media-client.js';

/**
 * `panoptes media …`: the seed's client (upload, filesize, download, delete, groups) over the HTTP
 * API. Progress bars go to stderr (only on a terminal), results to stdout.
 */
const int = (what: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${what} must be a whole number ≥ 0`);
  return n;
};

function clientOf(cmd: Command): MediaClient {
  const o = cmd.optsWithGlobals<{ api: string; key: string }>();
  return new MediaClient({ api: o.api, key: o.key });
}

function bar(total: number, label: string) {
  const b = new cliProgress.SingleBar({
    format: `${label} {bar} {percentage}% | {value_mb}/{total_mb} MB | {speed} MB/s | {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  const started = Date.now();
  let value = 0;
  const payload = () => ({
    value_mb: (value / 1e6).toFixed(1),
    total_mb: (total / 1e6).toFixed(1),
    speed: (value / 1e6 / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1),
  });
  b.start(total, 0, payload());
  return {
    add(n: number) {
      value += n;
      b.update(value, payload());
    },
    stop() {
      b.stop();
    },
  };
}

export function registerMedia(program: Command): void {
  const media = program
    .command('media')
    .description('media store: upload, size, ranged download, delete, groups (over the HTTP API)')
    .option('--api <url>', 'HTTP API base URL', process.env.PANOPTES_API ?? 'http://127.0.0.1:3000')
    .option('--key <key>', 'API key (x-api-key)', process.env.PANOPTES_API_KEY ?? 'local-dev-key');

  media
    .command('upload <file>')
    .description('upload a file (one presigned PUT, or parallel parts above the multipart threshold); prints the fileId')
    .requiredOption('--app <appId>', 'application the file belongs to')
    .requiredOption('--user <userId>', 'user the file belongs to (picks the storage group)')
    .option('--content-type <type>', 'media type (default: from the extension)')
    .option('--concurrency <n>', 'parts uploaded at once', int('concurrency'), 4)
    .option('--json', 'print the whole file record as JSON')
    .action(async (file: string, o: { app: string; user: string; contentType?: string; concurrency: number; json?: boolean }, cmd: Command) => {
      let progress: ReturnType<typeof bar> | undefined;
      try {
        const view = await clientOf(cmd).upload(file, {
          appId: o.app,
          userId: o.user,
          concurrency: Math.max(1, o.concurrency),
          ...(o.contentType ? { contentType: o.contentType } : {}),
          onPlan: (p) => (progress = bar(p.size, p.parts > 1 ? `upload (${p.parts} parts)` : 'upload')),
          onProgress: (n) => progress?.add(n),
        });
        progress?.stop();
        console.log(o.json ? JSON.stringify(view, null, 2) : view.fileId);
      } finally {
        progress?.stop();
      }
    });

  media
    .command('filesize <fileId>')
    .description('size of a file in bytes (HEAD)')
    .action(async (fileId: string, _o: unknown, cmd: Command) => {
      console.log(await clientOf(cmd).size(fileId));
    });

  media
    .command('download <fileId>')
    .description('download a file, or --size bytes from --offset (through /content), to -o or stdout')
    .option('--offset <n>', 'first byte', int('offset'))
    .option('--size <n>', 'number of bytes (0: to the end)', int('size'))
    .option('-o, --output <file>', 'write here instead of stdout')
    .action(async (fileId: string, o: { offset?: number; size?: number; output?: string }, cmd: Command) => {
      const out: Writable = o.output ? createWriteStream(o.output) : process.stdout;
      let progress: ReturnType<typeof bar> | undefined;
      try {
        const n = await clientOf(cmd).download(fileId, out, {
          ...(o.offset !== undefined ? { offset: o.offset } : {}),
          ...(o.size !== undefined ? { size: o.size } : {}),
          onSize: (total) => (progress = bar(total, 'download')),
          onProgress: (k) => progress?.add(k),
        });
        progress?.stop();
        if (o.output) {
          out.end();
          await once(out, 'finish');
          console.error(`${n} bytes written to ${o.output}`);
        }
      } finally {
        progress?.stop();
      }
    });

  media
    .command('url <fileId>')
    .description('a presigned URL of the file (15 min), e.g. for VLC')
    .action(async (fileId: string, _o: unknown, cmd: Command) => {
      console.log(await clientOf(cmd).url(fileId));
    });

  media
    .command('delete <fileId>')
    .description('delete a file (object and record)')
    .action(async (fileId: string, _o: unknown, cmd: Command) => {
      const r = await clientOf(cmd).delete(fileId);
      console.log(r.alreadyDeleted ? `${fileId} was already deleted` : `${fileId} deleted`);
    });

  media
    .command('list')
    .description("a user's files, newest first")
    .requiredOption('--app <appId>')
    .requiredOption('--user <userId>')
    .option('--limit <n>', 'files per page', int('limit'), 20)
    .option('--cursor <cursor>', 'the cursor printed by the previous page')
    .action(async (o: { app: string; user: string; limit: number; cursor?: string }, cmd: Command) => {
      const page = await clientOf(cmd).list(o.app, o.user, { limit: o.limit, ...(o.cursor ? { cursor: o.cursor } : {}) });
      console.table(page.files.map((f) => ({ fileId: f.fileId, name: f.fileName, size: f.size, type: f.contentType, created: f.createdAt })));
      if (page.cursor) console.log(`next page: --cursor ${page.cursor}`);
    });

  media
    .command('groups')
    .description('storage groups with their file count and bytes')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const groups = await clientOf(cmd).groups();
      if (o.json) console.log(JSON.stringify(groups, null, 2));
      else console.table(groups.map((g) => ({ group: g.name, status: g.status, files: g.files, bytes: g.bytes, bucket: g.bucket })));
    });
}
