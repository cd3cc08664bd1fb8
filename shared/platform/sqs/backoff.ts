import * as z from 'zod';
import { loadConfig } from '../config.js';

/** The stage's retry pace (functions.yml); sqsHandler reads it at cold start, so a typo is a ConfigError, not NaN. */
let defaults: { RETRY_BASE_SECONDS: number; RETRY_MAX_SECONDS: number } | undefined;
export const retryPace = () => (defaults ??= loadConfig({
  RETRY_BASE_SECONDS: z.coerce.number().positive().default(2),
  RETRY_MAX_SECONDS: z.coerce.number().positive().max(43_200).default(300),
}));

/**
 * Retry delay for the n-th failed receive: exponential with full jitter, capped. Used as the
 * message's new visibility timeout, so SQS itself holds the message until the next attempt.
 */
export function backoffSeconds(receiveCount: number, opts: { baseSeconds?: number; maxSeconds?: number; random?: () => number } = {}): number {
  const base = opts.baseSeconds ?? retryPace().RETRY_BASE_SECONDS;
  const max = opts.maxSeconds ?? retryPace().RETRY_MAX_SECONDS;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, receiveCount - 1));
  const rnd = opts.random ?? Math.random;
  // Half fixed, half jitter: spreads retries without ever retrying immediately.
  return Math.max(0, Math.min(43_200, Math.round(ceiling / 2 + rnd() * (ceiling / 2))));
}
