import { inject } from 'vitest';

/**
 * Points this test file's AWS SDK clients (shared/platform/aws.ts reads the standard variables) at the
 * emulators. Import it first in integration and e2e tests.
 */
Object.assign(process.env, inject('cloudEnv'), { STAGE: 'local' });

export const DEV_KEY = 'local-dev-key';
export const stackInfo = () => inject('stack');
