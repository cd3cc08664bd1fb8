import type { TestProject } from 'vitest/node';
import { startCloud } from '../../infra/local/stack.js';
import type { ServiceConfig } from '../../infra/local/service.js';
import { freePort } from './ports.js';

/** Integration tests: emulators started once per run on free ports, every resource provisioned. */
export default async function setup(project: TestProject) {
  const cloud = await startCloud({ dynamoPort: await freePort(), fauxqsPort: await freePort() });
  project.provide('cloudEnv', cloud.env);
  project.provide('names', resourceNames(cloud.svc));
  return async () => {
    await cloud.emulators.stop();
  };
}

/** serverless.yml `custom.names` as resolved for the stage (test/support/names.ts reads it). */
export function resourceNames(svc: ServiceConfig): Record<string, string> {
  return (svc.custom.names ?? {}) as Record<string, string>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloudEnv: Record<string, string>;
    names: Record<string, string>;
    stack: { httpUrl: string; consoleUrl: string; lambdaUrl: string; env: Record<string, string>; peers: Record<string, string> };
  }
}
