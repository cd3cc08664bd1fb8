import { describe, expect, it } from 'vitest';
import { toHttp } from '../../../shared/platform/errors.js';
import { stats, pending } from '../../../shared/api/photos.js';
import { MAX_FUTURE_MS } from '../../../shared/photos/intake.js';
import { MAX_WITHIN_MS, windowOf, withinMs } from '../../../shared/photos/stats.js';
import { parseOr400 } from '../../../shared/platform/validation.js';
import { loadService } from '../../../infra/local/service.js';

// A fixed instant: the window arithmetic is in epoch ms, so neither TZ nor today's date matters.
const NOW = Date.UTC(2025, 2, 30, 0, 30, 0);

describe('photo stats window', () => {
  it('within: a positive duration up to 31d', () => {
    expect(withinMs('15m')).toBe(15 * 60_000);
    expect(withinMs('24h')).toBe(86_400_000);
    expect(withinMs('31d')).toBe(MAX_WITHIN_MS);
    expect(withinMs('90')).toBe(90_000);
    for (const bad of ['', 'abc', '0', '0m', '-1h', '32d', '1w', '24 hours']) expect(withinMs(bad), bad).toBeUndefined();
  });

  it('the window ends MAX_FUTURE_MS ahead of now (intake accepts callTimes that far ahead)', () => {
    expect(windowOf(3_600_000, NOW)).toEqual({ from: NOW - 3_600_000, to: NOW + MAX_FUTURE_MS });
    // Across a DST change in many zones and a month end: still plain ms.
    const { from, to } = windowOf(86_400_000, NOW);
    expect(new Date(from).toISOString()).toBe('2025-03-29T00:30:00.000Z');
    expect(new Date(to).toISOString()).toBe('2025-03-30T00:35:00.000Z');
  });

  it('the routes answer a bad within with 400 naming query.within; the defaults are 24h and 60m', () => {
    expect(parseOr400(stats.query!, {}, 'query')).toEqual({ within: '24h' });
    expect(parseOr400(pending.query!, { pending: 'report' }, 'query')).toMatchObject({ within: '60m' });
    for (const q of [stats.query!, pending.query!]) {
      for (const within of ['soon', '32d', '0']) {
        try {
          parseOr400(q, { pending: 'report', within }, 'query');
          expect.unreachable(within);
        } catch (err) {
          expect(toHttp(err)?.statusCode).toBe(400);
          expect(toHttp(err)?.details?.[0]?.path).toBe('query.within');
        }
      }
    }
  });
});

describe('report give-up', () => {
  it("PHOTOS_REPORT_MAX_ATTEMPTS is the report queue's maxReceiveCount (the record fails on the last receive before the DLQ)", async () => {
    const svc = await loadService('local');
    const env = svc.functions.photosReport!.environment as Record<string, unknown>;
    const queue = svc.resources.Resources.PhotosReportQueue!.Properties as { RedrivePolicy: { maxReceiveCount: number } };
    expect(Number(env.PHOTOS_REPORT_MAX_ATTEMPTS)).toBe(Number(queue.RedrivePolicy.maxReceiveCount));
  }, 60_000);
});
