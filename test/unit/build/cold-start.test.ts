import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadService, type ServiceConfig } from '../../../infra/local/service.js';

/**
 * Every function's handler module loads with exactly the environment serverless.yml gives that function:
 * settings are validated at cold start (loadConfig at module scope), so a variable a module needs but its
 * function lacks fails here, not on the first request on AWS. Several functions sharing one module (one
 * file of handlers) each need what the whole module loads.
 */
const root = resolve(import.meta.dirname, '../../..');
let svc: ServiceConfig;
beforeAll(async () => {
  // What a deployer supplies through `${env:…}` and a function requires.
  process.env.PHOTOS_REPORT_URL ??= 'http://127.0.0.1:9/report';
  svc = await loadService('local');
}, 60_000);

describe('cold start', () => {
  it("each handler module loads with its function's environment alone", async () => {
    const failures: string[] = [];
    const saved = { ...process.env };
    // Each file first without resetting the module registry (an engine evaluated twice registers its
    // model loaders twice), then the files several functions share, each from a fresh registry.
    const seen = new Set<string>();
    const runs: Array<{ name: string; handler: string; file: string; env: Record<string, string>; fresh: boolean }> = [];
    for (const [name, fn] of Object.entries(svc.functions)) {
      if (!fn.handler) continue;
      const file = resolve(root, fn.handler.replace(/^dist\//, '').replace(/\.[^.]+$/, '.ts'));
      runs.push({ name, handler: fn.handler, file, env: { ...(fn.environment ?? {}) } as Record<string, string>, fresh: seen.has(file) });
      seen.add(file);
    }
    runs.sort((a, b) => Number(a.fresh) - Number(b.fresh));
    for (const { name, handler, file, env, fresh } of runs) {
      // Only the AWS variables of a Lambda runtime, the provider's and the function's own.
      for (const k of Object.keys(process.env)) if (!/^(AWS_|PATH$|HOME$|NODE_|TMPDIR$|VITEST|TZ$)/.test(k)) delete process.env[k];
      Object.assign(process.env, svc.provider.environment ?? {}, env);
      if (fresh) vi.resetModules();
      try {
        await import(pathToFileURL(file).href);
      } catch (err) {
        failures.push(`${name} (${handler}): ${(err as Error).message}`);
      } finally {
        for (const k of Object.keys(process.env)) delete process.env[k];
        Object.assign(process.env, saved);
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
