/** Resource names come from each function's environment (serverless.yml); read when first used. */
export function resourceName(variable: string): string {
  const v = process.env[variable];
  if (!v) throw new Error(`${variable} is not set`);
  return v;
}

/** Numeric setting from the environment with a default (settings are validated where they are used). */
export function numberSetting(variable: string, def: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${variable} must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

export const isConditionFailure = (err: unknown): boolean =>
  (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
