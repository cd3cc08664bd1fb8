/**
 * `npm run build` step after tsc: writes the OpenAPI document and the reference page's script beside
 * the docs handler (dist/functions/api/), so the deployed package and the local stack serve the
 * same files. `--types` regenerates the checked-in client types (cli/api/schema.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  // The standalone browser build is not in the package's exports: found from its entry point.
  const entry = createRequire(import.meta.url).resolve('@scalar/api-reference');
  const scalar = resolve(entry, '../browser/standalone.js');
  writeFileSync(resolve(out, 'scalar.js.gz'), gzipSync(readFileSync(scalar), { level: 9 }));
  console.log(`openapi: ${Object.keys(doc.paths ?? {}).length} paths → dist/functions/api/openapi.json, scalar.js.gz`);
}
