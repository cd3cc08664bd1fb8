import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { createRuleState, evaluateRules, isActive, MAX_GROUP_MS, type EngineFrame, type EngineTrack, type RuleEvaluation } from '../../../shared/rules/engine.js';
import { parseRuleSet, type RuleSet } from '../../../shared/rules/schema.js';

/** A confirmed, matched track whose feet (bottom-centre) are at (x, y), box 40×100. */
const at = (trackId: number, x: number, y: number, extra: Partial<EngineTrack> = {}): EngineTrack => ({
  trackId, box: [x - 20, y - 100, 40, 100], confirmed: true, matched: true, ...extra,
});
const set = (body: unknown): RuleSet => {
  const p = parseRuleSet(body);
  if (!p.ok) throw new Error(JSON.stringify(p.details));
  return p.value;
};
const ZONE: Array<[number, number]> = [[100, 100], [300, 100], [300, 300], [100, 300]];

function run(rs: RuleSet, frames: EngineFrame[], ctx = {}) {
  let state = createRuleState();
  const out: RuleEvaluation[] = [];
  for (const f of frames) {
    const r = evaluateRules(rs, state, f, ctx);
    state = r.ruleState;
    out.push(r);
  }
  return out;
}
/** One track walking along x (feet at y), one frame per 500 ms. */
const walk = (id: number, xs: number[], y = 200, t0 = 0): EngineFrame[] => xs.map((x, i) => ({ tsMs: t0 + i * 500, tracks: [at(id, x, y)] }));

describe('counting lines', () => {
  const gate = set({ rules: [{ id: 'gate', type: 'line', count: true, from: [200, 400], to: [200, 0] }] });

  it('counts left-to-right as in and right-to-left as out, one per crossing, and raises no alarm', () => {
    const r = run(gate, walk(1, [100, 150, 250, 300, 250, 150]));
    expect(r.flatMap((x) => x.crossings)).toEqual([
      { ruleId: 'gate', trackId: 1, direction: 'in', at: 1000 },
      { ruleId: 'gate', trackId: 1, direction: 'out', at: 2500 },
    ]);
    expect(r.flatMap((x) => x.violations)).toEqual([]);
  });

  it('jitter inside the hysteresis band is not a crossing; leaving it on the other side is one', () => {
    const r = run(gate, walk(1, [150, 195, 205, 196, 204, 199, 230]));
    expect(r.flatMap((x) => x.crossings).map((c) => [c.direction, c.at])).toEqual([['in', 3000]]);
    // With the band set to 0 the same walk crosses five times.
    const tight = set({ rules: [{ id: 'gate', type: 'line', count: true, hysteresis: 0, from: [200, 400], to: [200, 0] }] });
    expect(run(tight, walk(1, [150, 195, 205, 196, 204, 199, 230])).flatMap((x) => x.crossings)).toHaveLength(5);
  });

  it('alarm: true keeps the line\'s direction filter for alarms while counting both ways', () => {
    const rs = set({ rules: [{ id: 'gate', type: 'line', count: true, alarm: true, direction: 'right-to-left', from: [200, 400], to: [200, 0] }] });
    const r = run(rs, walk(1, [100, 300, 100]));
    expect(r.flatMap((x) => x.crossings).map((c) => c.direction)).toEqual(['in', 'out']);
    expect(r.flatMap((x) => x.violations).map((v) => v.at)).toEqual([1000]);
  });
});

describe('occupancy', () => {
  it('counts the tracks inside each polygon rule per frame, coasting ones by their last status', () => {
    const rs = set({ rules: [{ id: 'z', type: 'zone', polygon: ZONE }, { id: 'c', type: 'crowding', polygon: ZONE, minCount: 5, seconds: 0 }] });
    const r = run(rs, [
      { tsMs: 0, tracks: [at(1, 200, 200), at(2, 50, 50)] },
      { tsMs: 500, tracks: [at(1, 200, 200, { matched: false }), at(2, 150, 150)] },
      { tsMs: 1000, tracks: [at(2, 400, 400)] },
    ]);
    expect(r.map((x) => x.occupancy)).toEqual([
      [{ ruleId: 'z', count: 1 }, { ruleId: 'c', count: 1 }],
      [{ ruleId: 'z', count: 2 }, { ruleId: 'c', count: 2 }],
      [{ ruleId: 'z', count: 0 }, { ruleId: 'c', count: 0 }],
    ]);
  });
});

describe('false-positive controls', () => {
  it('inertia: a track must be matched in N consecutive frames before the rule sees it', () => {
    const rs = set({ rules: [{ id: 'z', type: 'zone', polygon: ZONE, inertia: 3 }] });
    const frames: EngineFrame[] = [0, 500, 1000, 1500].map((t) => ({ tsMs: t, tracks: [at(1, 200, 200)] }));
    const r = run(rs, frames);
    expect(r.map((x) => x.violations.length)).toEqual([0, 0, 1, 1]);
    // A flicker (seen, missed, seen) never builds the streak.
    const flicker = run(rs, [0, 500, 1000, 1500, 2000].map((t, i) => ({ tsMs: t, tracks: [at(1, 200, 200, { matched: i % 2 === 0 })] })));
    expect(flicker.flatMap((x) => x.violations)).toEqual([]);
  });

  it('masks drop the detections whose feet are in them; camera filters apply to every rule, a rule\'s own win', () => {
    const rs = set({
      filters: { minScore: 0.5, masks: [[[150, 150], [250, 150], [250, 250], [150, 250]]] },
      rules: [{ id: 'a', type: 'zone', polygon: ZONE }, { id: 'b', type: 'zone', polygon: ZONE, masks: [[[0, 0], [10, 0], [10, 10]]], minScore: 0.2 }],
    });
    const frame = (x: number, y: number, score: number) => run(rs, [{ tsMs: 0, tracks: [at(1, x, y, { score })] }])[0]!.violations.map((v) => v.ruleId);
    expect(frame(200, 200, 0.9)).toEqual(['b']); // in the camera mask: only b (its own masks) sees it
    expect(frame(120, 280, 0.3)).toEqual(['b']); // below the camera's minScore, above b's
    expect(frame(120, 280, 0.9)).toEqual(['a', 'b']);
  });

  it('area and aspect bounds judge the box', () => {
    const rs = set({ rules: [{ id: 'z', type: 'zone', polygon: ZONE, minArea: 1000, maxArea: 5000, minAspect: 1.5 }] });
    const v = (box: [number, number, number, number]) => run(rs, [{ tsMs: 0, tracks: [{ trackId: 1, box, confirmed: true }] }])[0]!.violations.length;
    expect(v([180, 100, 40, 100])).toBe(1); // 4000 px², aspect 2.5
    expect(v([190, 180, 20, 20])).toBe(0); // 400 px²: too small
    expect(v([150, 100, 100, 100])).toBe(0); // 10000 px²: too big
    expect(v([170, 170, 60, 30])).toBe(0); // 1800 px² but lying down (aspect 0.5)
  });
});

describe('schedules', () => {
  const tz = 'Asia/Shanghai';
  const local = (iso: string) => DateTime.fromISO(iso, { zone: tz }).toMillis();
  const hours = [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, from: '08:00', to: '18:00' }];

  it('office hours in the camera zone', () => {
    expect(isActive(hours as never, local('2026-12-07T08:00'), tz)).toBe(true); // Monday
    expect(isActive(hours as never, local('2026-12-07T17:59'), tz)).toBe(true);
    expect(isActive(hours as never, local('2026-12-07T18:00'), tz)).toBe(false);
    expect(isActive(hours as never, local('2026-12-06T12:00'), tz)).toBe(false); // Sunday
    // 08:30 in Shanghai is 00:30 UTC: in UTC the same instant is outside office hours.
    expect(isActive(hours as never, local('2026-12-07T08:30'), 'UTC')).toBe(false);
    expect(isActive(undefined, 0)).toBe(true);
  });

  it('overnight ranges belong to the day they start on', () => {
    const night = [{ days: ['fri'] as const, from: '22:00', to: '06:00' }];
    expect(isActive(night as never, local('2026-12-04T23:00'), tz)).toBe(true); // Friday night
    expect(isActive(night as never, local('2026-12-05T05:59'), tz)).toBe(true); // Saturday morning
    expect(isActive(night as never, local('2026-12-05T06:00'), tz)).toBe(false);
    expect(isActive(night as never, local('2026-12-04T05:00'), tz)).toBe(false); // Friday morning
  });

  it('outside the hours no violation, but counting goes on', () => {
    const rs = set({ rules: [
      { id: 'z', type: 'zone', polygon: ZONE, activeHours: [{ days: ['sat'], from: '00:00', to: '24:00' }] },
      { id: 'g', type: 'line', count: true, alarm: true, direction: 'any', from: [200, 400], to: [200, 0], activeHours: [{ days: ['sat'], from: '00:00', to: '24:00' }] },
    ] });
    const monday = local('2026-12-07T12:00');
    const r = run(rs, walk(1, [150, 250], 200, monday), { timeZone: tz });
    expect(r.flatMap((x) => x.violations)).toEqual([]);
    expect(r.flatMap((x) => x.crossings)).toHaveLength(1);
    expect(r.at(-1)!.occupancy).toEqual([{ ruleId: 'z', count: 1 }]);
  });
});

describe('cooldown', () => {
  const rs = set({ rules: [{ id: 'z', type: 'zone', polygon: ZONE, cooldownSeconds: 30 }] });
  const visit = (id: number, t: number): EngineFrame => ({ tsMs: t, tracks: [at(id, 200, 200)] });

  it('incidents while the alarm is open or closed < N s ago join it; later ones open a new one', () => {
    const r = run(rs, [visit(1, 0), visit(1, 500), visit(2, 20_000), { tsMs: 40_000, tracks: [] }, visit(3, 50_000), visit(4, 81_000)]);
    const v = r.flatMap((x) => x.violations);
    expect(v.map((x) => [x.incidentKey, x.memberKey, x.startedAt])).toEqual([
      ['z#t1', 'z#t1', 0], ['z#t1', 'z#t1', 0], ['z#t1', 'z#t2', 0], ['z#t1', 'z#t3', 0], ['z#t4', 'z#t4', 81_000],
    ]);
  });

  it('a group never spans more than an hour', () => {
    const frames = Array.from({ length: 130 }, (_, i) => visit(i + 1, i * 29_000));
    const keys = new Set(run(rs, frames).flatMap((x) => x.violations.map((v) => v.incidentKey)));
    expect(keys.size).toBe(Math.ceil((129 * 29_000) / (MAX_GROUP_MS + 29_000)));
  });
});

describe('crowding hysteresis', () => {
  const rs = set({ rules: [{ id: 'c', type: 'crowding', polygon: ZONE, minCount: 3, seconds: 0, clearBelow: 2, clearSeconds: 1 }] });
  const crowd = (t: number, n: number): EngineFrame => ({ tsMs: t, tracks: Array.from({ length: n }, (_, i) => at(i + 1, 120 + i * 10, 200)) });

  it('one episode while the count hovers around minCount; it ends only after clearSeconds below clearBelow', () => {
    const r = run(rs, [crowd(0, 3), crowd(500, 2), crowd(1000, 3), crowd(1500, 1), crowd(2000, 2), crowd(2500, 1), crowd(3000, 1), crowd(3500, 1), crowd(4000, 3)]);
    expect(r.map((x) => x.violations.map((v) => v.incidentKey))).toEqual([
      ['c#0'], ['c#0'], ['c#0'], [], ['c#0'], [], [], [], ['c#4000'],
    ]);
  });

  it('without clearBelow it behaves as before: an episode ends on the first frame below minCount', () => {
    const plain = set({ rules: [{ id: 'c', type: 'crowding', polygon: ZONE, minCount: 3, seconds: 0 }] });
    const r = run(plain, [crowd(0, 3), crowd(500, 2), crowd(1000, 3)]);
    expect(r.map((x) => x.violations.map((v) => v.incidentKey))).toEqual([['c#0'], [], ['c#1000']]);
  });
});

describe('zone minDurationSeconds', () => {
  it('a track must stay that long inside before the zone fires; the incident starts at its entry', () => {
    const rs = set({ rules: [{ id: 'z', type: 'zone', polygon: ZONE, minDurationSeconds: 1 }] });
    const r = run(rs, [0, 500, 1000, 1500].map((t) => ({ tsMs: t, tracks: [at(1, 200, 200)] })));
    expect(r.map((x) => x.violations.map((v) => [v.incidentKey, v.startedAt]))).toEqual([[], [], [['z#t1', 0]], [['z#t1', 0]]]);
    // Leaving and coming back restarts the wait.
    const back = run(rs, [{ tsMs: 0, tracks: [at(1, 200, 200)] }, { tsMs: 500, tracks: [at(1, 400, 400)] }, { tsMs: 1000, tracks: [at(1, 200, 200)] }, { tsMs: 1500, tracks: [at(1, 200, 200)] }]);
    expect(back.flatMap((x) => x.violations)).toEqual([]);
  });
});
