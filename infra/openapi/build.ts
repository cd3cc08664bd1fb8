/**
 * `npm run build` step after tsc: writes the OpenAPI document and the reference page's script beside
 * the docs handler (dist/functions/api/), so the deployed package and the local stack serve the
 * same files. `--types` regenerates the checked-in client types (cli/api/schema.ts).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDocument } from './document.js';
import { clientTypes, TYPES_FILE } from './types.js';

const root = resolve(import.meta.dirname, '../..');
const out = resolve(root, 'dist/functions/api');
const args = new Set(process.argv.slice(2));

const doc = buildDocument();
if (args.has('--types')) {
  writeFileSync(TYPES_FILE, await clientTypes(doc));
  console.log(`wrote ${TYPES_FILE}`);
} else {
  mkdirSync(out, { recursive: true });
  writeFileSync(resolve(out, 'openapi.json'), JSON.stringify(doc, null, 2) + '\n');
  // The reference page's renderer: Redoc's self-contained standalone bundle (redoc/bundles), gzipped
  // once here; functions/api/docs.ts serves it as is.
  const redoc = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
  rmSync(resolve(out, 'scalar.js.gz'), { force: true });
  // Its sidebar footer loads a logo from cdn.redoc.ly, the one request to another host: the page is
  // served with no CDN, so that image becomes an empty inline one. Fails loudly if a release moves it.
  const CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
  const script = readFileSync(redoc, 'utf8');
  if (!script.includes(CDN_LOGO)) throw new Error(`${redoc}: ${CDN_LOGO} not found; check the page still loads nothing from a CDN`);
  const local = script.replaceAll(CDN_LOGO, "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E");
  writeFileSync(resolve(out, 'redoc.js.gz'), gzipSync(local, { level: 9 }));
  console.log(`openapi: ${Object.keys(doc.paths ?? {}).length} paths → dist/functions/api/openapi.json, redoc.js.gz`);
}
