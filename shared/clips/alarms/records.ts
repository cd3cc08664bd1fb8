/**
 * Alarms: one per incident. Pure pieces — ids, the replay window, when to build the replay, the
 * webhook payload — so the consumers stay thin.
 */
import { createHash } from 'node:crypto';
import type { RuleType } from '../../rules/schema.js';
import { coverage, type Coverage, type IndexedClip } from '../coverage.js';

/** Camera health alarms (shared/clips/registry/health.ts): no rule, no tracks, no replay. */
export type HealthAlarmType = 'camera.offline' | 'camera.online';

export interface AlarmItem {
  alarmId: string;
  cameraId: string;
  incidentKey: string;
  ruleId: string;
  ruleType: RuleType | HealthAlarmType;
  /** Camera health alarms: why (`no clips for 31 s`, `agent A dead`) and the dead agent, if that is why. */
  reason?: string;
  agentId?: string;
  ruleName?: string;
  /** Epoch ms. */
  startedAt: number;
  endedAt: number;
  trackIds: number[];
  /** With a rule cooldown: the incidents grouped into this alarm (their own keys); absent = one. */
  members?: string[];
  createdAt: number;
  /** Set once the replay task is on the alarms queue. */
  queuedAt?: number;
  replayKey?: string;
  snapshotKey?: string;
  replayComplete?: boolean;
  replayFromMs?: number;
  replayToMs?: number;
  replayBuiltAt?: number;
  pushQueuedAt?: number;
  pushedAt?: number;
  pushStatus?: 'pending' | 'retrying' | 'delivered' | 'failed' | 'no-webhook';
  pushAttempts?: number;
  expiresAt?: number;
}

/**
 * Deterministic id of an incident: camera + incident key (rule + track, or rule + episode) + start.
 * The start is part of it because track ids restart if a camera's tracker state is ever lost.
 */
export function alarmIdFor(cameraId: string, incidentKey: string, startedAt: number): string {
  return 'al_' + createHash('sha256').update(`${cameraId}\n${incidentKey}\n${startedAt}`).digest('hex').slice(0, 24);
}

export interface ReplaySettings {
  beforeMs: number;
  afterMs: number;
  /** Nominal clip length, for clips whose duration is not probed yet. */
  clipMs: number;
  /** Give up waiting for missing clips this long after max(window end, alarm creation). */
  waitMs: number;
  /** Re-check interval while waiting. */
  recheckMs: number;
}

export const replayWindow = (startedAt: number, s: Pick<ReplaySettings, 'beforeMs' | 'afterMs'>) => ({
  fromMs: startedAt - s.beforeMs,
  toMs: startedAt + s.afterMs,
});

/** Delay of the first replay attempt: until the clip holding the window's end has probably landed. */
export function firstReplayDelaySeconds(startedAt: number, now: number, s: ReplaySettings): number {
  const readyAt = startedAt + s.afterMs + s.clipMs;
  return Math.min(900, Math.max(0, Math.ceil((readyAt - now) / 1000)));
}

export type ReplayDecision<C extends IndexedClip> =
  | { action: 'wait'; delaySeconds: number; coverage: Coverage<C> }
  | { action: 'build'; complete: boolean; coverage: Coverage<C>; fromMs: number; toMs: number };

/**
 * Build when every covering clip exists; otherwise wait (re-check later) until the deadline
 * max(window end, alarm creation) + waitMs, then build from what exists (replayComplete false).
 * Measuring from creation too keeps back-filled footage (clips uploaded long after they were
 * recorded) from skipping the wait altogether.
 */
export function decideReplay<C extends IndexedClip>(
  alarm: Pick<AlarmItem, 'startedAt' | 'createdAt'>,
  clips: readonly C[],
  now: number,
  s: ReplaySettings,
): ReplayDecision<C> {
  const win = replayWindow(alarm.startedAt, s);
  const cov = coverage(clips, win, { nominalMs: s.clipMs, toleranceMs: 1000 });
  if (cov.complete) return { action: 'build', complete: true, coverage: cov, ...win };
  const deadline = Math.max(win.toMs, alarm.createdAt) + s.waitMs;
  if (now < deadline) {
    const delaySeconds = Math.max(1, Math.min(900, Math.ceil(Math.min(s.recheckMs, deadline - now) / 1000)));
    return { action: 'wait', delaySeconds, coverage: cov };
  }
  return { action: 'build', complete: false, coverage: cov, ...win };
}

/** CLIPS_ALARM_WEBHOOK_URL may route per camera: `{cameraId}` is replaced by the (URL-encoded) id. */
export function webhookUrl(template: string, cameraId: string): string | undefined {
  const t = template.trim();
  if (!t) return undefined;
  return t.replaceAll('{cameraId}', encodeURIComponent(cameraId));
}

export interface WebhookPayload {
  alarmId: string;
  cameraId: string;
  rule: string;
  ruleType: RuleType | HealthAlarmType;
  ruleName?: string;
  startedAt: string;
  endedAt: string;
  trackIds: number[];
  snapshotUrl: string | null;
  replayUrl: string | null;
  replayComplete: boolean;
}

export function webhookPayload(a: AlarmItem, urls: { snapshotUrl?: string; replayUrl?: string }): WebhookPayload {
  return {
    alarmId: a.alarmId,
    cameraId: a.cameraId,
    rule: a.ruleId,
    ruleType: a.ruleType,
    ...(a.ruleName ? { ruleName: a.ruleName } : {}),
    startedAt: new Date(a.startedAt).toISOString(),
    endedAt: new Date(a.endedAt).toISOString(),
    trackIds: [...a.trackIds].sort((x, y) => x - y),
    snapshotUrl: urls.snapshotUrl ?? null,
    replayUrl: urls.replayUrl ?? null,
    replayComplete: a.replayComplete === true,
  };
}
