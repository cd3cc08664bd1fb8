import type { TestProject } from 'vitest/node';
import { startCloud } from '../../infra/local/stack.js';
import { freePort } from './ports.js';

/** Integration tests: emulators started once per run on free ports, every resource provisioned. */
export default async function setup(project: TestProject) {
  const cloud = await startCloud({ dynamoPort: await freePort(), fauxqsPort: await freePort() });
  project.provide('cloudEnv', cloud.env);
  return async () => {
    await cloud.emulators.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    cloudEnv: Record<string, string>;
    stack: { httpUrl: string; consoleUrl: string; lambdaUrl: string; env: Record<string, string>; peers: Record<string, string> };
  }
}
