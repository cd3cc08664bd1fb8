import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';
import { resolve } from 'node:path';

/**
 * The operator console: a static single-page app (Preact + uPlot) built into dist/console by
 * `npm run build`. It talks to the HTTP API through the typed client (cli/api/schema.ts) at the
 * address `config.json` names: infra/local/console.ts serves it locally, S3 + CloudFront on AWS.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: resolve(import.meta.dirname, '../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    // One file per page, loaded when the page is first opened: the camera wall loads little.
    chunkSizeWarningLimit: 300,
  },
  logLevel: 'warn',
});
