import * as z from 'zod';

/** Thrown at cold start when the environment lacks or mangles a setting: names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates settings from the environment once (call at module scope, i.e. cold start).
 * Keys of the schema are environment variable names.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`),
    );
  }
  return result.data;
}

/** Common settings every function has. */
export const stage = () => process.env.STAGE ?? 'local';
export const isLocalStage = () => stage() === 'local';
