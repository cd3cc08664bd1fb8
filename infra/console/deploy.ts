/**
 * Uploads the built console (dist/console) to a stage's console bucket (infra/resources/console.yml):
 *   npm run build && npm run console:deploy -- --stage <stage>
 * Reads the stack outputs (HttpApiUrl, ConsoleBucket) through `osls info`, adds config.json naming that
 * API, and puts every file with its content type and caching: Vite's hashed assets/* are immutable, while
 * index.html and config.json are revalidated on every load so a deploy takes effect at once. Old hashed
 * assets are left in place: a tab still running the previous index.html can load its lazy chunks.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(import.meta.dirname, '../..');
export const CONSOLE_DIR = resolve(root, 'dist/console');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';

export interface Upload {
  key: string;
  contentType: string;
  cacheControl: string;
  body: Buffer;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** What a deploy puts in the bucket: every built file, plus config.json for `apiUrl`. */
export function planUpload(apiUrl: string, dir = CONSOLE_DIR): Upload[] {
  if (!/^https:\/\//.test(apiUrl)) throw new Error(`the API URL must be https: ${apiUrl}`);
  const built = files(dir).map((path): Upload => {
    const key = relative(dir, path).split('\\').join('/');
    const contentType = TYPES[extname(key).toLowerCase()];
    if (!contentType) throw new Error(`no content type known for ${key}; add it to infra/console/deploy.ts`);
    // Vite names everything under assets/ by content hash; anything else keeps its name across builds.
    return { key, contentType, cacheControl: key.startsWith('assets/') ? IMMUTABLE : REVALIDATE, body: readFileSync(path) };
  });
  if (!built.some((u) => u.key === 'index.html')) throw new Error(`${dir} has no index.html: run npm run build first`);
  const config: Upload = {
    key: 'config.json', contentType: TYPES['.json']!, cacheControl: REVALIDATE,
    body: Buffer.from(JSON.stringify({ api: apiUrl.replace(/\/+$/, '') })),
  };
  // index.html last: it names the new hashed assets, which must be there by the time it is served.
  return [...built.filter((u) => u.key !== 'index.html' && u.key !== 'config.json'), config, ...built.filter((u) => u.key === 'index.html')];
}

/** The stack outputs `osls info --verbose` prints ("  Key: value" under "Stack Outputs:"). */
export function parseOutputs(info: string): Record<string, string> {
  const section = info.split(/^Stack Outputs:?\s*$/m)[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of section.matchAll(/^\s+([A-Za-z0-9]+): (\S+)\s*$/gm)) out[m[1]!] = m[2]!;
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stage: { type: 'string' }, region: { type: 'string' } } });
  if (!values.stage || values.stage === 'local') throw new Error('usage: npm run console:deploy -- --stage <aws stage> [--region r] (locally, npm start serves the console)');
  const args = ['info', '--verbose', '--stage', values.stage, ...(values.region ? ['--region', values.region] : [])];
  const outputs = parseOutputs(execFileSync(resolve(root, 'node_modules/.bin/osls'), args, { cwd: root, encoding: 'utf8' }));
  const api = outputs.HttpApiUrl;
  const bucket = outputs.ConsoleBucket;
  if (!api || !bucket) throw new Error(`stack outputs lack HttpApiUrl or ConsoleBucket: ${JSON.stringify(outputs)}`);
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const s3 = new S3Client(values.region ? { region: values.region } : {});
  for (const u of planUpload(api)) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: u.key, Body: u.body, ContentType: u.contentType, CacheControl: u.cacheControl }));
    console.log(`${u.cacheControl.padEnd(36)} ${u.key}`);
  }
  console.log(`\nconsole: ${outputs.ConsoleUrl ?? '(ConsoleUrl output missing)'}  api: ${api}`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
