/**
 * Retry delay for the n-th failed receive: exponential with full jitter, capped. Used as the
 * message's new visibility timeout, so SQS itself holds the message until the next attempt.
 */
export function backoffSeconds(receiveCount: number, opts: { baseSeconds?: number; maxSeconds?: number; random?: () => number } = {}): number {
  const base = opts.baseSeconds ?? Number(process.env.RETRY_BASE_SECONDS ?? 2);
  const max = opts.maxSeconds ?? Number(process.env.RETRY_MAX_SECONDS ?? 300);
  const ceiling = Math.min(max, base * 2 ** Math.max(0, receiveCount - 1));
  const rnd = opts.random ?? Math.random;
  // Half fixed, half jitter: spreads retries without ever retrying immediately.
  return Math.max(0, Math.min(43_200, Math.round(ceiling / 2 + rnd() * (ceiling / 2))));
}
