import * as z from 'zod';
import { MAX_FUTURE_MS } from './intake.js';
import { OUTCOMES, STAGES, type Outcome, type Stage } from './records.js';
import type { PhotoRepo } from './repo.js';
import { iso, parseDuration } from '../platform/time.js';

/**
 * Pipeline state for the operator: of the photos with a callTime in the window, how many wait at each
 * stage and how many ended done or failed. Every number is a count of records in a sparse index
 * (`pending`, `outcome`) that the record's own conditional updates maintain, so none can drift.
 */
export const MAX_WITHIN_MS = 31 * 86_400_000;

/** `within` of the photo queries: a positive duration up to 31d (`15m`, `24h`, `7d`). */
export function withinMs(within: string): number | undefined {
  const ms = parseDuration(within);
  return ms && ms <= MAX_WITHIN_MS ? ms : undefined;
}

export const withinParam = (def: string) =>
  z.string().default(def).refine((v) => withinMs(v) !== undefined, 'within must be a duration up to 31d, e.g. 60m, 24h');

/**
 * callTime bounds of "the last `within`": up to now + MAX_FUTURE_MS, because intake accepts photos
 * stamped that far ahead and they belong to the current window.
 */
export function windowOf(withinMsValue: number, now: number): { from: number; to: number } {
  return { from: now - withinMsValue, to: now + MAX_FUTURE_MS };
}

export interface PipelineStats {
  within: string;
  from: string;
  to: string;
  pending: Record<Stage, number>;
  done: number;
  failed: number;
}

/** The five counts, queried in parallel; `now` is injected so callers (and tests) own the clock. */
export async function pipelineStats(repo: Pick<PhotoRepo, 'countPending' | 'countOutcome'>, within: string, now: number): Promise<PipelineStats> {
  const ms = withinMs(within);
  if (ms === undefined) throw new Error(`not a window: ${within}`);
  const { from, to } = windowOf(ms, now);
  const [pending, ended] = await Promise.all([
    Promise.all(STAGES.map((s) => repo.countPending(s, from, to))),
    Promise.all(OUTCOMES.map((o) => repo.countOutcome(o, from, to))),
  ]);
  const byOutcome = Object.fromEntries(OUTCOMES.map((o, i) => [o, ended[i]!])) as Record<Outcome, number>;
  return {
    within,
    from: iso(from),
    to: iso(to),
    pending: Object.fromEntries(STAGES.map((s, i) => [s, pending[i]!])) as Record<Stage, number>,
    done: byOutcome.done,
    failed: byOutcome.failed,
  };
}
