import { describe, expect, it } from 'vitest';
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
});
