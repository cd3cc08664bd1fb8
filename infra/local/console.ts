/**
 * Serves the built console (dist/console, `npm run build`) locally with Vite's preview server:
 * the single-page app with its history fallback, `/config.json`, and two proxies that keep the
 * browser on one origin — `/api/*` → the HTTP API and `/storage/*` → fauxqs. fauxqs answers no CORS
 * preflight, so a browser could not PUT upload parts to its presigned URLs directly; the console
 * rewrites those URLs onto `/storage` (config.json `storage`). On AWS the console comes from S3 +
 * CloudFront, config.json names the API's URL, and the buckets' CORS rules allow the uploads.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { preview } from 'vite';

const root = resolve(import.meta.dirname, '../..');
export const CONSOLE_DIR = resolve(root, 'dist/console');

export interface LocalConsole {
  url: string;
  stop(): Promise<void>;
}

export async function startConsole(o: { port: number; apiUrl: string; storageUrl: string }): Promise<LocalConsole> {
  if (!existsSync(resolve(CONSOLE_DIR, 'index.html'))) throw new Error(`the console is not built (${CONSOLE_DIR}): run npm run build`);
  const url = `http://127.0.0.1:${o.port}`;
  const config = JSON.stringify({ api: '/api', storage: { [o.storageUrl.replace(/\/+$/, '')]: '/storage' } });
  const server = await preview({
    configFile: false,
    root: resolve(root, 'console'),
    logLevel: 'warn',
    build: { outDir: CONSOLE_DIR },
    preview: {
      host: '127.0.0.1',
      port: o.port,
      strictPort: true,
      open: false,
      proxy: {
        '/api': { target: o.apiUrl, changeOrigin: true, rewrite: (p) => p.replace(/^\/api/, '') },
        '/storage': { target: o.storageUrl, changeOrigin: true, rewrite: (p) => p.replace(/^\/storage/, '') },
      },
    },
    plugins: [
      {
        name: 'panoptes-console-config',
        configurePreviewServer(s) {
          s.middlewares.use('/config.json', (_req, res) => {
            res.setHeader('content-type', 'application/json');
            res.setHeader('cache-control', 'no-store');
            res.end(config);
          });
        },
      },
    ],
  });
  return {
    url,
    async stop() {
      await server.close();
    },
  };
}
