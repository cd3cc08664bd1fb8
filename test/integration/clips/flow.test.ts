import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { flowRepo } from '../../../shared/clips/flow.js';
import { resource } from '../../support/names.js';

/** Flow and occupancy buckets against DynamoDB Local: a clip counts once, whatever happens. */
const { flowSeries, occupancySeries, recordFlow } = flowRepo({ CLIPS_FLOW_TABLE: resource('flow'), CLIPS_FLOW_RETENTION_DAYS: 400 });

const M = 60_000;
const T0 = Date.UTC(2026, 5, 1, 10, 0, 0); // a fixed, minute-aligned instant: no dependence on today

describe('recordFlow', () => {
  it('adds each clip once: a repeat of the same clip (redelivery, crash before the state write) changes nothing', async () => {
    const cam = `it-${randomUUID()}`;
    const flow = [{ ruleId: 'gate', minuteMs: T0, in: 2, out: 1 }, { ruleId: 'gate', minuteMs: T0 + M, in: 1, out: 0 }];
    const occ = [{ ruleId: 'z', minuteMs: T0, sum: 12, frames: 10, max: 3 }];
    expect(await recordFlow(cam, T0 + 55_000, flow, occ)).toBe(3);
    expect(await recordFlow(cam, T0 + 55_000, flow, occ)).toBe(0);
    // Concurrent repeats (two consumers of one message) too.
    expect((await Promise.all([recordFlow(cam, T0 + 55_000, flow, occ), recordFlow(cam, T0 + 55_000, flow, occ)])).reduce((a, b) => a + b)).toBe(0);
    // The next clip adds to the same minute.
    expect(await recordFlow(cam, T0 + 60_000, [{ ruleId: 'gate', minuteMs: T0 + M, in: 0, out: 4 }], [{ ruleId: 'z', minuteMs: T0, sum: 1, frames: 2, max: 5 }])).toBe(2);

    const q = { cameraId: cam, fromMs: T0, toMs: T0 + 5 * M, timeZone: 'UTC' } as const;
    expect(await flowSeries({ ...q, ruleId: 'gate', bucket: '1m' })).toEqual([
      { start: new Date(T0).toISOString(), in: 2, out: 1 },
      { start: new Date(T0 + M).toISOString(), in: 1, out: 4 },
      ...[2, 3, 4].map((i) => ({ start: new Date(T0 + i * M).toISOString(), in: 0, out: 0 })),
    ]);
    expect(await flowSeries({ ...q, ruleId: 'gate', bucket: '5m' })).toEqual([{ start: new Date(T0).toISOString(), in: 3, out: 5 }]);
    const occupancy = await occupancySeries({ ...q, ruleId: 'z', bucket: '1m' });
    expect(occupancy[0]).toEqual({ start: new Date(T0).toISOString(), avg: 1.08, max: 5 }); // 13 / 12 frames
    expect(occupancy[1]).toEqual({ start: new Date(T0 + M).toISOString(), avg: null, max: null });
  });

  it('series of another camera or rule are apart', async () => {
    const cam = `it-${randomUUID()}`;
    await recordFlow(cam, T0, [{ ruleId: 'a', minuteMs: T0, in: 1, out: 0 }], []);
    const q = { cameraId: cam, fromMs: T0, toMs: T0 + M, timeZone: 'UTC', bucket: '1m' } as const;
    expect(await flowSeries({ ...q, ruleId: 'b' })).toEqual([{ start: new Date(T0).toISOString(), in: 0, out: 0 }]);
    expect(await flowSeries({ ...q, cameraId: `${cam}-x`, ruleId: 'a' })).toEqual([{ start: new Date(T0).toISOString(), in: 0, out: 0 }]);
  });
});
