import type { TestProject } from 'vitest/node';
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startStack } from '../../infra/local/stack.js';
import { startConsole } from '../../infra/local/console.js';
import { freePort } from './ports.js';
import { functionInfo, resourceNames } from './global-emulators.js';

/**
 * End-to-end tests: the whole local stack once per run, like `npm start`, on free ports.
 * Remote peers (file servers, webhook receivers, FTP servers) are started first from
 * test/support/peers/*.ts: each exports `start()` → { env, urls, stop }; their env reaches the
 * functions (e.g. PHOTOS_REPORT_URL) and their urls reach the tests through inject('stack').peers.
 */
export interface Peer {
  env: Record<string, string>;
  urls: Record<string, string>;
  stop(): Promise<void>;
}

export default async function setup(project: TestProject) {
  const dir = resolve(import.meta.dirname, 'peers');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts')).sort();
  const peers: Peer[] = [];
  const stopPeers = () => Promise.allSettled(peers.map((p) => p.stop()));
  try {
    for (const f of files) {
      const mod = (await import(resolve(dir, f))) as { start: () => Promise<Peer> };
      peers.push(await mod.start());
    }
    const stack = await startStack({
      dynamoPort: await freePort(),
      fauxqsPort: await freePort(),
      httpPort: await freePort(),
      lambdaPort: await freePort(),
      env: Object.assign({}, ...peers.map((p) => p.env)),
      log: process.env.STACK_LOG ? (l) => console.log(l) : undefined,
      verbose: Boolean(process.env.STACK_LOG),
    });
    const web = await startConsole({ port: await freePort(), apiUrl: stack.httpUrl, storageUrl: stack.awsEndpoint }).catch(async (err) => {
      await stack.stop();
      throw err;
    });
    project.provide('stack', {
      httpUrl: stack.httpUrl,
      consoleUrl: web.url,
      lambdaUrl: stack.lambdaUrl,
      env: stack.env,
      peers: Object.assign({}, ...peers.map((p) => p.urls)),
    });
    project.provide('cloudEnv', stack.env);
    project.provide('names', resourceNames(stack.svc));
    project.provide('functions', functionInfo(stack.svc));
    return async () => {
      await web.stop();
      await stack.stop();
      await stopPeers();
    };
  } catch (err) {
    await stopPeers();
    throw err;
  }
}
