import { describe, expect, it, vi } from 'vitest';
import { backoffSeconds } from '../../../shared/platform/sqs/backoff.js';

describe('backoffSeconds', () => {
  it('grows exponentially and stays within [ceiling/2, ceiling]', () => {
    const lo = (n: number) => backoffSeconds(n, { baseSeconds: 2, maxSeconds: 300, random: () => 0 });
    const hi = (n: number) => backoffSeconds(n, { baseSeconds: 2, maxSeconds: 300, random: () => 1 });
    expect([1, 2, 3, 4].map(hi)).toEqual([2, 4, 8, 16]);
    expect([1, 2, 3, 4].map(lo)).toEqual([1, 2, 4, 8]);
  });
  it('is capped', () => {
    expect(backoffSeconds(30, { baseSeconds: 2, maxSeconds: 300, random: () => 1 })).toBe(300);
  });

  it('a mistyped RETRY_BASE_SECONDS is a ConfigError naming it, not a NaN delay', async () => {
    vi.resetModules();
    process.env.RETRY_BASE_SECONDS = 'two';
    try {
      const fresh = await import('../../../shared/platform/sqs/backoff.js');
      expect(() => fresh.retryPace()).toThrow(/RETRY_BASE_SECONDS/);
    } finally {
      delete process.env.RETRY_BASE_SECONDS;
    }
  });
});
