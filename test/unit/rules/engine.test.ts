import { describe, expect, it } from 'vitest';
import {
  createRuleState,
  evaluateRules,
  type EngineFrame,
  type EngineTrack,
  type RuleEngineState,
  type Violation,
} from '../../../shared/rules/engine.js';
import { parseRuleSet, type Rule, type RuleSet } from '../../../shared/rules/schema.js';
import { createTrackerState, updateTracker, type TrackerState } from '../../../shared/tracking/tracker.js';

/** A confirmed, matched track whose FEET (bottom-centre) are at (x, y). */
const at = (trackId: number, x: number, y: number, extra: Partial<EngineTrack> = {}): EngineTrack => ({
  trackId,
  box: [x - 20, y - 100, 40, 100],
  confirmed: true,
  matched: true,
  ...extra,
});

const rules = (...r: Rule[]): RuleSet => {
  const parsed = parseRuleSet({ rules: r });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.details));
  return parsed.value;
};

const square = (x0: number, y0: number, x1: number, y1: number): Array<[number, number]> => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
];
const ZONE = square(100, 100, 300, 300);

function run(ruleSet: RuleSet, frames: EngineFrame[], state: RuleEngineState = createRuleState()) {
  const perFrame: Violation[][] = [];
  for (const f of frames) {
    const r = evaluateRules(ruleSet, state, f);
    state = r.ruleState;
    perFrame.push(r.violations);
  }
  return { state, perFrame, all: perFrame.flat() };
}

/** One track walking along x at y, feet positions given per frame, 500 ms apart. */
const walk = (trackId: number, xs: number[], y: number, t0 = 0): EngineFrame[] =>
  xs.map((x, i) => ({ tsMs: t0 + i * 500, tracks: [at(trackId, x, y)] }));

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('zone rule', () => {
  const set = rules({ id: 'z', type: 'zone', polygon: ZONE });

  it('emits every frame while inside, with a stable incident key and start', () => {
    const { perFrame } = run(set, walk(7, [50, 150, 200, 250, 350, 400], 200));
    expect(perFrame.map((v) => v.length)).toEqual([0, 1, 1, 1, 0, 0]);
    expect(perFrame[1]![0]).toEqual({
      ruleId: 'z',
      type: 'zone',
      trackIds: [7],
      startedAt: 500,
      at: 500,
      incidentKey: 'z#t7',
    });
    expect(perFrame[3]![0]).toMatchObject({ startedAt: 500, at: 1500, incidentKey: 'z#t7' });
  });

  it('keeps the same incident (key and startedAt) when the same track re-enters', () => {
    const { perFrame } = run(set, walk(7, [150, 350, 250], 200));
    expect(perFrame[2]![0]).toMatchObject({ incidentKey: 'z#t7', startedAt: 0, at: 1000 });
  });

  it('uses the bottom-centre of the box, not its centre', () => {
    // Feet at y=350 (outside) though most of the box (y 250..350) overlaps the zone.
    expect(run(set, [{ tsMs: 0, tracks: [at(1, 200, 350)] }]).all).toEqual([]);
    // Feet at y=120 (inside) though the box centre (y=70) is above the zone.
    expect(run(set, [{ tsMs: 0, tracks: [at(1, 200, 120)] }]).all).toHaveLength(1);
  });

  it('ignores unconfirmed tracks', () => {
    expect(run(set, [{ tsMs: 0, tracks: [at(1, 200, 200, { confirmed: false })] }]).all).toEqual([]);
  });

  it('emits one violation per track inside, ordered by track id', () => {
    const { all } = run(set, [{ tsMs: 0, tracks: [at(9, 200, 200), at(3, 150, 150), at(5, 20, 20)] }]);
    expect(all.map((v) => v.incidentKey)).toEqual(['z#t3', 'z#t9']);
  });
});

describe('loitering rule', () => {
  const set = rules({ id: 'bench', type: 'loitering', polygon: ZONE, seconds: 3 });
  const stay = (n: number, t0 = 0) =>
    Array.from({ length: n }, (_, i) => ({ tsMs: t0 + i * 500, tracks: [at(4, 200 + (i % 2) * 5, 200)] }));

  it('fires only once the stay reaches the threshold, then every frame with a stable key', () => {
    const { perFrame } = run(set, stay(9)); // 0..4000 ms
    expect(perFrame.map((v) => v.length)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(perFrame[6]![0]).toEqual({
      ruleId: 'bench',
      type: 'loitering',
      trackIds: [4],
      startedAt: 0,
      at: 3000,
      incidentKey: 'bench#t4',
    });
    expect(perFrame[8]![0]).toMatchObject({ startedAt: 0, at: 4000, incidentKey: 'bench#t4' });
  });

  it('does not fire when the person walks through', () => {
    expect(run(set, walk(4, [50, 120, 190, 260, 330, 400], 200)).all).toEqual([]);
  });

  it('resets the dwell timer when the track leaves the zone', () => {
    const frames = stay(5); // inside 0..2000
    frames.push({ tsMs: 2500, tracks: [at(4, 500, 200)] }); // out
    frames.push(...stay(6, 3000)); // back 3000..5500: 2.5 s < 3 s
    expect(run(set, frames).all).toEqual([]);
  });

  it('a missed detection (coasting track) does not reset the dwell', () => {
    const frames = stay(8);
    // Frame at 1500: detector missed; the tracker extrapolated the box far outside the zone.
    frames[3] = { tsMs: 1500, tracks: [at(4, 900, 900, { matched: false })] };
    const { perFrame } = run(set, frames);
    expect(perFrame[6]![0]).toMatchObject({ startedAt: 0, at: 3000 });
  });

  it('a track that disappears (dies) loses its dwell', () => {
    const frames = stay(4);
    frames.push({ tsMs: 2000, tracks: [] });
    frames.push(...stay(4, 2500)); // same id back (hypothetically): dwell restarts at 2500
    expect(run(set, frames).all).toEqual([]);
  });
});

describe('line rule', () => {
  // Vertical line x=200 drawn bottom→top, so 'left-to-right' = screen-left → screen-right.
  const line = (direction: 'left-to-right' | 'right-to-left' | 'any') =>
    rules({ id: 'gate', type: 'line', from: [200, 400], to: [200, 100], direction });
  const rightwards = walk(2, [100, 150, 190, 240, 290], 300);
  const leftwards = walk(2, [290, 240, 190, 150, 100], 300);

  it('fires once, on the crossing frame, in the configured direction', () => {
    const { perFrame } = run(line('left-to-right'), rightwards);
    expect(perFrame.map((v) => v.length)).toEqual([0, 0, 0, 1, 0]);
    expect(perFrame[3]![0]).toEqual({
      ruleId: 'gate',
      type: 'line',
      trackIds: [2],
      startedAt: 1500,
      at: 1500,
      incidentKey: 'gate#t2#1500',
    });
  });

  it('does not fire for the opposite direction; "any" fires for both', () => {
    expect(run(line('left-to-right'), leftwards).all).toEqual([]);
    expect(run(line('right-to-left'), leftwards).all).toHaveLength(1);
    expect(run(line('any'), rightwards).all).toHaveLength(1);
    expect(run(line('any'), leftwards).all).toHaveLength(1);
  });

  it('does not fire when walking past the end of the segment', () => {
    expect(run(line('any'), walk(2, [100, 150, 190, 240, 290], 450)).all).toEqual([]);
  });

  it('counts stepping onto the line and then off the other side as one crossing', () => {
    const { perFrame } = run(line('any'), walk(2, [150, 200, 200, 250, 300], 300));
    expect(perFrame.map((v) => v.length)).toEqual([0, 0, 0, 1, 0]);
    // Touching the line and going back is not a crossing.
    expect(run(line('any'), walk(2, [150, 200, 150], 300)).all).toEqual([]);
  });

  it('fires again for every new crossing, each with its own key', () => {
    const { all } = run(line('left-to-right'), walk(2, [150, 250, 150, 250], 300));
    expect(all.map((v) => v.incidentKey)).toEqual(['gate#t2#500', 'gate#t2#1500']);
  });

  it('an extrapolated (coasting) position does not count as a crossing', () => {
    const frames = walk(2, [150, 160, 170, 180], 300);
    frames[2] = { tsMs: 1000, tracks: [at(2, 260, 300, { matched: false })] };
    expect(run(line('any'), frames).all).toEqual([]);
    // …but the crossing is detected once a real observation lands on the other side.
    const later = [...walk(2, [150, 160], 300), { tsMs: 1000, tracks: [at(2, 260, 300, { matched: false })] }, ...walk(2, [270], 300, 1500)];
    expect(run(line('any'), later).all.map((v) => v.at)).toEqual([1500]);
  });

  it('a track first seen on the far side does not fire', () => {
    expect(run(line('any'), walk(5, [250, 260], 300)).all).toEqual([]);
  });
});

describe('crowding rule', () => {
  const set = rules({ id: 'lobby', type: 'crowding', polygon: ZONE, minCount: 2, seconds: 2 });
  const crowd = (tsMs: number, n: number, outside = 0): EngineFrame => ({
    tsMs,
    tracks: [
      ...Array.from({ length: n }, (_, i) => at(i + 1, 150 + i * 20, 200)),
      ...Array.from({ length: outside }, (_, i) => at(100 + i, 500, 500)),
    ],
  });

  it('fires once ≥ minCount objects have been inside for `seconds`, keyed by episode start', () => {
    const frames = [0, 500, 1000, 1500, 2000, 2500].map((t) => crowd(t, 2, 3));
    const { perFrame } = run(set, frames);
    expect(perFrame.map((v) => v.length)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(perFrame[4]![0]).toEqual({
      ruleId: 'lobby',
      type: 'crowding',
      trackIds: [1, 2],
      startedAt: 0,
      at: 2000,
      incidentKey: 'lobby#0',
    });
    expect(perFrame[5]![0]!.incidentKey).toBe('lobby#0');
  });

  it('does not fire below minCount, however long', () => {
    const frames = Array.from({ length: 20 }, (_, i) => crowd(i * 500, 1, 5));
    expect(run(set, frames).all).toEqual([]);
  });

  it('starts a new episode (new key) after the crowd disperses', () => {
    const frames = [
      ...[0, 500, 1000, 1500, 2000].map((t) => crowd(t, 3)),
      crowd(2500, 1),
      ...[3000, 3500, 4000, 4500, 5000].map((t) => crowd(t, 2)),
    ];
    const { perFrame } = run(set, frames);
    expect(perFrame[4]!.map((v) => v.incidentKey)).toEqual(['lobby#0']);
    expect(perFrame[5]).toEqual([]);
    expect(perFrame[9]).toEqual([]); // 1.5 s into the new episode
    expect(perFrame[10]!.map((v) => v.incidentKey)).toEqual(['lobby#3000']);
  });

  it('seconds = 0 fires immediately; coasting members still count', () => {
    const now = rules({ id: 'now', type: 'crowding', polygon: ZONE, minCount: 2, seconds: 0 });
    const { perFrame } = run(now, [
      crowd(0, 2),
      { tsMs: 500, tracks: [at(1, 150, 200), at(2, 900, 900, { matched: false })] },
    ]);
    expect(perFrame[0]!.map((v) => v.trackIds)).toEqual([[1, 2]]);
    expect(perFrame[1]!.map((v) => [v.incidentKey, v.trackIds])).toEqual([['now#0', [1, 2]]]);
  });
});

describe('evaluateRules: state handling', () => {
  const all = rules(
    { id: 'z', type: 'zone', polygon: ZONE },
    { id: 'l', type: 'loitering', polygon: ZONE, seconds: 1 },
    { id: 'g', type: 'line', from: [200, 400], to: [200, 50], direction: 'any' },
    { id: 'c', type: 'crowding', polygon: ZONE, minCount: 2, seconds: 1 },
  );
  // Two people: #1 crosses the zone left→right, #2 stands in it; #1 missed once at t=1500.
  const scenario: EngineFrame[] = Array.from({ length: 12 }, (_, i) => ({
    tsMs: i * 500 + (i >= 6 ? 500 : 0), // clip gap after frame 5
    tracks: [
      at(1, 60 + i * 30, 200, i === 3 ? { matched: false } : {}),
      at(2, 250, 250),
      ...(i === 4 ? [at(3, 200, 200, { confirmed: false })] : []),
    ],
  }));

  it('gives the same violations when the state round-trips through JSON every frame', () => {
    const straight = run(all, scenario);
    expect(new Set(straight.all.map((v) => v.type))).toEqual(new Set(['zone', 'loitering', 'line', 'crowding']));
    let state = createRuleState();
    const viaJson: Violation[][] = [];
    for (const f of scenario) {
      const r = evaluateRules(all, JSON.parse(JSON.stringify(state)) as RuleEngineState, f);
      state = r.ruleState;
      viaJson.push(r.violations);
    }
    expect(viaJson).toEqual(straight.perFrame);
    expect(state).toEqual(straight.state);
  });

  it('is pure: does not mutate the inputs', () => {
    const mid = run(all, scenario.slice(0, 6)).state;
    const snapshot = structuredClone(mid);
    const r = evaluateRules(deepFreeze(all), deepFreeze(mid), deepFreeze(scenario[6]!));
    expect(mid).toEqual(snapshot);
    expect(r.ruleState).not.toBe(mid);
  });

  it('ignores a redelivered (older or equal) frame', () => {
    const { state } = run(all, scenario.slice(0, 6));
    const r = evaluateRules(all, state, scenario[5]!);
    expect(r).toEqual({ ruleState: state, violations: [], crossings: [], occupancy: [], ignored: true });
    expect(evaluateRules(all, state, scenario[2]!).ignored).toBe(true);
  });

  it('drops state of dead tracks and removed rules (bounded state)', () => {
    const { state } = run(all, scenario);
    const after = evaluateRules(rules({ id: 'z', type: 'zone', polygon: ZONE }), state, { tsMs: 100_000, tracks: [] });
    expect(after.ruleState.rules).toEqual({ z: { type: 'zone', tracks: {} } });
  });

  it('a line edited in place is judged from the track\'s real last position', () => {
    const before = rules({ id: 'g', type: 'line', from: [200, 400], to: [200, 50], direction: 'any' });
    const moved = rules({ id: 'g', type: 'line', from: [400, 400], to: [400, 50], direction: 'any' });
    const { state } = run(before, walk(1, [150], 300));
    // 150 → 300 crosses the old line only; 150 → 450 crosses the new one.
    expect(evaluateRules(moved, state, { tsMs: 500, tracks: [at(1, 300, 300)] }).violations).toEqual([]);
    expect(evaluateRules(before, state, { tsMs: 500, tracks: [at(1, 300, 300)] }).violations).toHaveLength(1);
    expect(evaluateRules(moved, state, { tsMs: 500, tracks: [at(1, 450, 300)] }).violations).toHaveLength(1);
  });

  it('a rule id that changes type starts from a clean state', () => {
    const asZone = rules({ id: 'r', type: 'zone', polygon: ZONE });
    const asLoiter = rules({ id: 'r', type: 'loitering', polygon: ZONE, seconds: 1 });
    const { state } = run(asZone, walk(1, [200, 200, 200, 200], 200)); // inside since 0
    // Without the reset, the zone's `since: 0` would make the loitering rule fire at once.
    expect(evaluateRules(asLoiter, state, { tsMs: 2000, tracks: [at(1, 200, 200)] }).violations).toEqual([]);
    expect(evaluateRules(asZone, state, { tsMs: 2000, tracks: [at(1, 200, 200)] }).violations).toHaveLength(1);
  });
});

describe('tracker + rules across two clips', () => {
  it('a person crossing a line during the clip gap yields one crossing on one track id', () => {
    const ruleSet = rules({ id: 'gate', type: 'line', from: [640, 720], to: [640, 0], direction: 'left-to-right' });
    // Walking right at 100 px/s; clip 1 frames 0..4500, clip 2 from 5500 (500 ms gap).
    const times = [...Array.from({ length: 10 }, (_, i) => i * 500), ...Array.from({ length: 10 }, (_, i) => 5500 + i * 500)];
    const det = (t: number) => ({ box: [60 + t / 10 - 30, 400, 60, 160] as [number, number, number, number], score: 0.9 });
    let tracker: TrackerState = createTrackerState();
    let ruleState = createRuleState();
    const violations: Violation[] = [];
    for (const [i, tsMs] of times.entries()) {
      if (i === 10) {
        // Between clips the consumer persists both states (DynamoDB) and reloads them.
        tracker = JSON.parse(JSON.stringify(tracker)) as TrackerState;
        ruleState = JSON.parse(JSON.stringify(ruleState)) as RuleEngineState;
      }
      const t = updateTracker(tracker, { tsMs, detections: [det(tsMs)] });
      tracker = t.state;
      const r = evaluateRules(ruleSet, ruleState, { tsMs, tracks: t.tracks });
      ruleState = r.ruleState;
      violations.push(...r.violations);
    }
    // Feet x = 60 + t/10 crosses 640 at t = 5800 → first frame on the right is 6000.
    expect(violations).toEqual([
      { ruleId: 'gate', type: 'line', trackIds: [1], startedAt: 6000, at: 6000, incidentKey: 'gate#t1#6000' },
    ]);
  });
});
