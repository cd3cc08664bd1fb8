import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../../shared/api/docs.js';
import { httpHandler } from '../../shared/platform/http/stack.js';

/**
 * GET /openapi.json, GET /docs and GET /docs/redoc.js: the OpenAPI document and its reference page.
 * Both files are written by `npm run build` (infra/openapi/build.ts) beside this handler:
 * dist/functions/api/openapi.json and dist/functions/api/redoc.js.gz (Redoc's standalone bundle, MIT,
 * gzipped: ~330 KB, so its Lambda zip stays well under 1 MB, where Scalar's was 1.5 MB). Nothing is fetched
 * from elsewhere: the page loads only these (Redoc falls back to system fonts, none are downloaded).
 */
const dirs = [dirname(fileURLToPath(import.meta.url)), resolve(process.cwd(), 'dist/functions/api')];
function asset(name: string): Buffer {
  for (const d of dirs) {
    try {
      return readFileSync(join(d, name));
    } catch {
      // next candidate
    }
  }
  throw new Error(`${name} is missing: run npm run build (infra/openapi/build.ts writes it beside the docs handler)`);
}

let doc: string | undefined;
let script: string | undefined;

export const openapi = httpHandler(api.openapi, async () => {
  doc ??= asset('openapi.json').toString('utf8');
  return { statusCode: 200, raw: true, body: doc, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' } };
});

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>panoptes API reference</title>
</head>
<body>
  <div id="app"></div>
  <script src="docs/redoc.js"></script>
  <script>
    Redoc.init('openapi.json', { expandResponses: '200,201,202' }, document.getElementById('app'));
  </script>
</body>
</html>
`;

export const docs = httpHandler(api.docs, async () => ({
  statusCode: 200, raw: true, body: PAGE, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
}));

const script_ = httpHandler(api.docsAsset, async () => {
  script ??= asset('redoc.js.gz').toString('base64');
  return {
    statusCode: 200, raw: true, isBase64Encoded: true, body: script,
    headers: { 'content-type': 'text/javascript; charset=utf-8', 'content-encoding': 'gzip', vary: 'accept-encoding', 'cache-control': 'public, max-age=3600' },
  };
});
export { script_ as script };
