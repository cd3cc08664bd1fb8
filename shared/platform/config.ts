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

/**
 * A capability's settings loader: `shape` holds every variable the capability reads (schema and
 * default); a function loads the ones it uses, at module scope, with `load('A', 'B')`.
 */
export function settingsLoader<S extends z.ZodRawShape>(shape: S) {
  return <K extends keyof S & string>(...keys: K[]): z.infer<z.ZodObject<Pick<S, K>>> =>
    loadConfig(Object.fromEntries(keys.map((k) => [k, shape[k]])) as unknown as Pick<S, K>);
}

/** Common settings every function has. */
export const stage = () => process.env.STAGE ?? 'local';
export const isLocalStage = () => stage() === 'local';
