import * as z from 'zod';

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

/** Replay window settings, shared by tracking (alarm deadlines) and the replay builder. */
export const replaySettingsShape = {
  CLIP_SECONDS: z.coerce.number().positive().default(5),
  REPLAY_BEFORE_SECONDS: z.coerce.number().nonnegative().default(15),
  REPLAY_AFTER_SECONDS: z.coerce.number().nonnegative().default(15),
  REPLAY_WAIT_SECONDS: z.coerce.number().nonnegative().default(120),
  REPLAY_RECHECK_SECONDS: z.coerce.number().positive().default(10),
};

export function replaySettings(cfg: z.infer<z.ZodObject<typeof replaySettingsShape>>) {
  return {
    beforeMs: cfg.REPLAY_BEFORE_SECONDS * 1000,
    afterMs: cfg.REPLAY_AFTER_SECONDS * 1000,
    clipMs: cfg.CLIP_SECONDS * 1000,
    waitMs: cfg.REPLAY_WAIT_SECONDS * 1000,
    recheckMs: cfg.REPLAY_RECHECK_SECONDS * 1000,
  };
}
