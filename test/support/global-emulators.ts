import type { TestProject } from 'vitest/node';
import { startCloud } from '../../infra/local/stack.js';
import type { ServiceConfig } from '../../infra/local/service.js';
import type { FunctionInfo } from './handler.js';
import { freePort } from './ports.js';

/** Integration tests: emulators started once per run on free ports, every resource provisioned. */
export default async function setup(project: TestProject) {
  const cloud = await startCloud({ dynamoPort: await freePort(), fauxqsPort: await freePort() });
  project.provide('cloudEnv', cloud.env);
  project.provide('names', resourceNames(cloud.svc));
  project.provide('functions', functionInfo(cloud.svc));
  return async () => {
    await cloud.emulators.stop();
  };
}

/**
 * serverless.yml `custom.names` as resolved for the stage, and the storage groups' buckets as
 * `mediaGroup.<group>` (`custom.mediaGroupBuckets`): test/support/names.ts reads them.
 */
export function resourceNames(svc: ServiceConfig): Record<string, string> {
  const groups = Object.entries((svc.custom.mediaGroupBuckets ?? {}) as Record<string, string>).map(([g, bucket]) => [`mediaGroup.${g}`, bucket]);
  return { ...(svc.custom.names ?? {}) as Record<string, string>, ...Object.fromEntries(groups) };
}

/** What handler mode (test/support/handler.ts) needs of each function: its handler, environment and routes. */
export function functionInfo(svc: ServiceConfig): Record<string, FunctionInfo> {
  const provider = Object.fromEntries(Object.entries(svc.provider.environment ?? {}).filter(([k]) => k !== 'NODE_OPTIONS').map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(Object.entries(svc.functions).map(([name, f]) => [name, {
    name: f.name ?? name,
    handler: f.handler ?? '',
    environment: { ...provider, ...Object.fromEntries(Object.entries(f.environment ?? {}).map(([k, v]) => [k, String(v)])) },
    http: (f.events ?? []).flatMap((e) => {
      const h = (e as { httpApi?: { method: string; path: string } }).httpApi;
      return h ? [{ method: h.method.toUpperCase(), path: h.path }] : [];
    }),
  }]));
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloudEnv: Record<string, string>;
    names: Record<string, string>;
    functions: Record<string, FunctionInfo>;
    stack: { httpUrl: string; consoleUrl: string; lambdaUrl: string; env: Record<string, string>; peers: Record<string, string> };
  }
}
