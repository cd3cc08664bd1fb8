/**
 * The clips capability's settings: every environment variable its functions read, with its schema and
 * default. A function loads the ones it uses at cold start (`loadClipsSettings(...)`) and passes them
 * to the repositories and use cases; nothing in shared/clips reads the environment itself.
 */
import * as z from 'zod';
import { settingsLoader } from '../platform/config.js';
import type { ReplaySettings } from './alarms/records.js';

const name = z.string().min(1);
const seconds = z.coerce.number().nonnegative();
const days = z.coerce.number().positive();

export const clipsSettings = {
  CLIPS_BUCKET: name,
  CLIPS_ARTIFACTS_BUCKET: name,
  CLIPS_TABLE: name,
  CLIPS_CAMERA_STATE_TABLE: name,
  CLIPS_CAMERAS_TABLE: name,
  CLIPS_AGENTS_TABLE: name,
  CLIPS_ALARMS_TABLE: name,
  CLIPS_ALARM_PUSHES_TABLE: name,
  CLIPS_FLOW_TABLE: name,
  CLIPS_INFERENCE_QUEUE: name,
  CLIPS_RESULTS_QUEUE: name,
  CLIPS_ALARMS_QUEUE: name,
  CLIPS_PUSH_QUEUE: name,
  /** Where "agent declared dead" is announced; empty = only logged. */
  CLIPS_AGENT_EVENTS_TOPIC: z.string().default(''),
  CLIPS_RETENTION_DAYS: days.default(7),
  CLIPS_ALARM_RETENTION_DAYS: days.default(30),
  CLIPS_FLOW_RETENTION_DAYS: days.default(400),
  CLIPS_AGENT_RETENTION_DAYS: days.default(7),
  CLIPS_AGENT_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  CLIPS_CLIP_SECONDS: z.coerce.number().positive().default(5),
  CLIPS_INFERENCE_FPS: z.coerce.number().positive().max(30).default(2),
  CLIPS_RESULTS_INLINE_MAX_BYTES: z.coerce.number().int().positive().max(250_000).default(200 * 1024),
  CLIPS_REPLAY_BEFORE_SECONDS: seconds.default(15),
  CLIPS_REPLAY_AFTER_SECONDS: seconds.default(15),
  CLIPS_REPLAY_WAIT_SECONDS: seconds.default(120),
  CLIPS_REPLAY_RECHECK_SECONDS: z.coerce.number().positive().default(10),
  /** Empty: alarms are kept and marked `no-webhook`, not pushed. */
  CLIPS_ALARM_WEBHOOK_URL: z.string().default(''),
  CLIPS_PUSH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  CLIPS_PUSH_MAX_ATTEMPTS: z.coerce.number().int().positive().default(8),
  /** Life of the replay/snapshot links the API answers with. */
  CLIPS_MEDIA_URL_TTL_SECONDS: z.coerce.number().int().positive().max(604_800).default(3600),
  /** Life of the links in a webhook push: the receiver may fetch them much later. */
  CLIPS_PUSH_MEDIA_URL_TTL_SECONDS: z.coerce.number().int().positive().max(604_800).default(604_800),
};

export type ClipsSettings = z.infer<z.ZodObject<typeof clipsSettings>>;
export type ClipsSetting = keyof typeof clipsSettings;

/** Loads and validates the named settings (call at module scope: a bad or missing one fails the cold start). */
export const loadClipsSettings = settingsLoader(clipsSettings);

export type ReplayWindowSettings = Pick<ClipsSettings,
  'CLIPS_CLIP_SECONDS' | 'CLIPS_REPLAY_BEFORE_SECONDS' | 'CLIPS_REPLAY_AFTER_SECONDS' | 'CLIPS_REPLAY_WAIT_SECONDS' | 'CLIPS_REPLAY_RECHECK_SECONDS'>;
export const REPLAY_SETTINGS = [
  'CLIPS_CLIP_SECONDS', 'CLIPS_REPLAY_BEFORE_SECONDS', 'CLIPS_REPLAY_AFTER_SECONDS', 'CLIPS_REPLAY_WAIT_SECONDS', 'CLIPS_REPLAY_RECHECK_SECONDS',
] as const satisfies readonly ClipsSetting[];

/** The replay window in milliseconds, shared by tracking (alarm deadlines) and the replay builder. */
export function replayWindow(s: ReplayWindowSettings): ReplaySettings {
  return {
    beforeMs: s.CLIPS_REPLAY_BEFORE_SECONDS * 1000,
    afterMs: s.CLIPS_REPLAY_AFTER_SECONDS * 1000,
    clipMs: s.CLIPS_CLIP_SECONDS * 1000,
    waitMs: s.CLIPS_REPLAY_WAIT_SECONDS * 1000,
    recheckMs: s.CLIPS_REPLAY_RECHECK_SECONDS * 1000,
  };
}

/** Seconds-since-epoch expiry `days` after `now` (DynamoDB TTL attribute). */
export const expiresAfterDays = (now: number, days: number): number => Math.floor(now / 1000) + days * 86_400;
