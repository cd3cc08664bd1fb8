import { describe, expect, it } from 'vitest';
import {
  createTrackerState,
  DEFAULT_TRACKER_PARAMS,
  iou,
  updateTracker,
  type Detection,
  type TrackerFrame,
  type TrackerParams,
  type TrackerState,
  type TrackOutput,
} from '../../../shared/tracking/tracker.js';

const W = 60;
const H = 160;
const STEP_MS = 500; // 2 fps

/** A person box centred at (cx, cy). */
const person = (cx: number, cy: number, score = 0.9): Detection => ({
  box: [cx - W / 2, cy - H / 2, W, H],
  score,
});

/** Deterministic ±2 px detector jitter. */
const jitter = (i: number) => ((i * 7919) % 5) - 2;

/** Walker at `speed` px per second, position a pure function of time (so clip gaps are real time). */
const walkerAt = (tsMs: number, x0: number, speedPxPerS: number, cy = 400, i = 0) =>
  person(x0 + (speedPxPerS * tsMs) / 1000 + jitter(i), cy + jitter(i + 3));

function run(frames: TrackerFrame[], params: Partial<TrackerParams> = {}, state = createTrackerState()) {
  const outputs: TrackOutput[][] = [];
  for (const f of frames) {
    const r = updateTracker(state, f, params);
    state = r.state;
    outputs.push(r.tracks);
  }
  return { state, outputs };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

const walkerFrames = (n: number, t0 = 0) =>
  Array.from({ length: n }, (_, i) => {
    const tsMs = t0 + i * STEP_MS;
    return { tsMs, detections: [walkerAt(tsMs, 100, 80, 400, i)] };
  });

describe('iou', () => {
  it('computes overlap ratios', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150);
    expect(iou([0, 0, 10, 10], [10, 0, 10, 10])).toBe(0); // touching edges do not overlap
  });
});

describe('updateTracker', () => {
  it('keeps one id for a person walking across the frame, confirming after minHits', () => {
    // 80 px/s at 2 fps = 40 px per frame on a 60 px wide box: consecutive raw boxes have IoU ≈ 0.2,
    // below the 0.3 gate, so this only works thanks to prediction + the distance fallback.
    const frames = walkerFrames(20);
    const { state, outputs } = run(frames);
    expect(outputs[0]).toHaveLength(1);
    expect(outputs[0]![0]).toMatchObject({ trackId: 1, confirmed: false, hits: 1, matched: true });
    expect(outputs[1]![0]).toMatchObject({ trackId: 1, confirmed: true, hits: 2 });
    for (const [i, out] of outputs.entries()) {
      expect(out.map((t) => t.trackId)).toEqual([1]);
      expect(out[0]!.detectionIndex).toBe(0);
      expect(out[0]!.ageMs).toBe(i * STEP_MS);
    }
    // Filtered box follows the person closely.
    const last = outputs.at(-1)![0]!.box;
    const truth = frames.at(-1)!.detections[0]!.box;
    expect(Math.abs(last[0] - truth[0])).toBeLessThan(5);
    expect(Math.abs(last[2] - W)).toBeLessThan(3);
    // Velocity estimate ≈ 80 px/s = 0.08 px/ms.
    expect(state.tracks[0]!.vx).toBeCloseTo(0.08, 2);
    expect(state.nextTrackId).toBe(2);
    // The second observation initialises velocity from the displacement (no slow ramp from 0).
    const two = run(frames.slice(0, 2)).state.tracks[0]!;
    expect(two.vx).toBeGreaterThan(0.07);
    expect(two.vx).toBeLessThan(0.09);
  });

  it('needs the distance fallback at 2 fps: IoU alone re-ids a just-born walker', () => {
    const { outputs } = run(walkerFrames(3), { maxCentreDistance: 0 });
    expect(outputs[1]!.map((t) => t.trackId)).toEqual([2]); // track 1 died tentative
  });

  it('keeps identities when two people cross paths (prediction resolves the overlap)', () => {
    // A walks right, B walks left; at frame 10 they are 20 px apart, at frame 11 they have passed
    // each other. Without velocity, A's last box (x=500) overlaps B's next detection (x=480) more
    // than its own (x=540), so a static-position tracker would swap the ids here.
    const frames: TrackerFrame[] = [];
    for (let k = 0; k < 22; k++) {
      const a = person(100 + 40 * k, 400);
      const b = person(920 - 40 * k, 410);
      // Alternate detection order so ids can't simply follow list positions.
      frames.push({ tsMs: k * STEP_MS, detections: k % 2 ? [b, a] : [a, b] });
    }
    const { outputs } = run(frames);
    const idOf = (k: number, who: 'a' | 'b') => {
      const idx = (k % 2 ? { a: 1, b: 0 } : { a: 0, b: 1 })[who];
      return outputs[k]!.find((t) => t.detectionIndex === idx)!.trackId;
    };
    for (let k = 0; k < frames.length; k++) {
      expect(outputs[k]).toHaveLength(2);
      expect(idOf(k, 'a')).toBe(1);
      expect(idOf(k, 'b')).toBe(2);
    }
  });

  it('keeps the id across a 500 ms gap between clips, with the state persisted as JSON', () => {
    // Clip 1: frames 0..4500; clip 2 starts after a 500 ms gap at 5500 (the person kept walking).
    const clip1 = Array.from({ length: 10 }, (_, i) => i * STEP_MS);
    const clip2 = Array.from({ length: 10 }, (_, i) => 5500 + i * STEP_MS);
    const frame = (tsMs: number, i: number) => ({ tsMs, detections: [walkerAt(tsMs, 50, 120, 300, i)] });
    const r1 = run(clip1.map(frame));
    const persisted = JSON.parse(JSON.stringify(r1.state)) as TrackerState;
    const r2 = run(clip2.map((t, i) => frame(t, i + 10)), {}, persisted);
    expect(r2.outputs.flat().map((t) => t.trackId)).toEqual(new Array(10).fill(1));
    expect(r2.outputs[0]![0]).toMatchObject({ matched: true, confirmed: true, hits: 11 });
    expect(r2.state.nextTrackId).toBe(2);
  });

  it('keeps the id through a missed detection, coasting on the prediction', () => {
    const frames = walkerFrames(12);
    frames[6] = { tsMs: frames[6]!.tsMs, detections: [] };
    const { outputs } = run(frames);
    const coasting = outputs[6]![0]!;
    expect(coasting).toMatchObject({ trackId: 1, matched: false, confirmed: true, sinceSeenMs: 500, detectionIndex: null });
    // Predicted box is where the person actually is (x ≈ 100 + 0.08 * 3000 − 30 = 310), not where last seen.
    expect(Math.abs(coasting.box[0] - (100 + 0.08 * 3000 - W / 2))).toBeLessThan(6);
    expect(outputs[7]![0]).toMatchObject({ trackId: 1, matched: true, sinceSeenMs: 0 });
    expect(outputs.flat().every((t) => t.trackId === 1)).toBe(true);
  });

  it('deletes a track unseen for more than maxAgeMs; a reappearing person gets a new id', () => {
    const maxAgeMs = DEFAULT_TRACKER_PARAMS.maxAgeMs;
    let { state } = run(walkerFrames(4)); // last seen at 1500
    const empty = (tsMs: number) => updateTracker(state, { tsMs, detections: [] });
    // Exactly maxAge since last seen: still alive (coasting).
    const atLimit = empty(1500 + maxAgeMs);
    expect(atLimit.tracks.map((t) => [t.trackId, t.matched])).toEqual([[1, false]]);
    state = atLimit.state;
    const past = empty(1500 + maxAgeMs + STEP_MS);
    expect(past.tracks).toEqual([]);
    expect(past.state.tracks).toEqual([]);
    state = past.state;
    const back = updateTracker(state, { tsMs: 1500 + maxAgeMs + 2 * STEP_MS, detections: [walkerAt(4500, 100, 80)] });
    expect(back.tracks.map((t) => t.trackId)).toEqual([2]);
    expect(back.state.nextTrackId).toBe(3);
  });

  it('does not let a stale track grab a detection after a long gap (ids are never reused)', () => {
    const { state } = run(walkerFrames(4));
    // Same place, 10 s later: a different visit.
    const r = updateTracker(state, { tsMs: 11_500, detections: [walkerAt(1500, 100, 80)] });
    expect(r.tracks.map((t) => t.trackId)).toEqual([2]);
  });

  it('ignores a redelivered (older or equal) frame and leaves the state untouched', () => {
    const frames = walkerFrames(6);
    const { state } = run(frames.slice(0, 4));
    const older = updateTracker(state, frames[1]!);
    expect(older).toEqual({ state, tracks: [], ignored: true });
    expect(older.state).toBe(state);
    expect(updateTracker(state, frames[3]!).ignored).toBe(true); // same timestamp again
    // Processing continues normally afterwards, same as if the redelivery never happened.
    const next = updateTracker(older.state, frames[4]!);
    expect(next.ignored).toBe(false);
    expect(next).toEqual(updateTracker(state, frames[4]!));
    expect(next.tracks[0]).toMatchObject({ trackId: 1, hits: 5 });
  });

  it('drops a one-off false detection without confirming it', () => {
    const frames = walkerFrames(6);
    frames[2] = { ...frames[2]!, detections: [...frames[2]!.detections, person(900, 100, 0.4)] };
    const { outputs, state } = run(frames);
    expect(outputs[2]!.map((t) => [t.trackId, t.confirmed])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(outputs[3]!.map((t) => t.trackId)).toEqual([1]);
    expect(state.tracks.map((t) => t.id)).toEqual([1]);
  });

  it('ignores invalid boxes and detections below minScore', () => {
    const r = updateTracker(
      createTrackerState(),
      {
        tsMs: 0,
        detections: [
          { box: [0, 0, 0, 10], score: 0.9 },
          { box: [0, 0, Number.NaN, 10], score: 0.9 },
          { box: [0, 0, 10, 10], score: 0.2 },
          { box: [100, 100, 10, 10], score: 0.8 },
        ],
      },
      { minScore: 0.5 },
    );
    expect(r.tracks.map((t) => [t.trackId, t.detectionIndex])).toEqual([[1, 3]]);
  });

  it('bounds the number of tracks (state stays small), keeping confirmed tracks over births', () => {
    const crowd = (tsMs: number, n: number) => ({
      tsMs,
      detections: Array.from({ length: n }, (_, i) => person(40 + (i % 20) * 90, 100 + Math.floor(i / 20) * 200)),
    });
    let state = createTrackerState();
    state = updateTracker(state, crowd(0, 5), { maxTracks: 8 }).state;
    state = updateTracker(state, crowd(500, 5), { maxTracks: 8 }).state; // 5 confirmed
    const r = updateTracker(state, crowd(1000, 100), { maxTracks: 8 });
    expect(r.state.tracks).toHaveLength(8);
    expect(r.state.tracks.filter((t) => t.confirmed).map((t) => t.id)).toEqual([1, 2, 3, 4, 5]);
    const big = updateTracker(createTrackerState(), crowd(0, 100));
    expect(big.state.tracks).toHaveLength(DEFAULT_TRACKER_PARAMS.maxTracks);
    expect(JSON.stringify(big.state).length).toBeLessThan(20_000);
  });

  it('is pure: never mutates the input state or frame', () => {
    const { state } = run(walkerFrames(4));
    const snapshot = structuredClone(state);
    const frame = deepFreeze(walkerFrames(5)[4]!);
    const r = updateTracker(deepFreeze(state), frame); // frozen objects throw on write (ESM is strict)
    expect(state).toEqual(snapshot);
    expect(r.state).not.toBe(state);
    expect(r.state.tracks[0]!.hits).toBe(5);
  });

  it('gives identical results when the state round-trips through JSON mid-sequence', () => {
    const frames: TrackerFrame[] = [];
    for (let k = 0; k < 24; k++) {
      const dets = [person(100 + 40 * k, 400 + jitter(k)), person(920 - 40 * k, 410)];
      if (k === 9) dets.pop(); // a missed detection
      frames.push({ tsMs: k * STEP_MS + (k >= 12 ? 500 : 0), detections: dets }); // clip gap at 12
    }
    const straight = run(frames);
    let state = createTrackerState();
    const viaJson: TrackOutput[][] = [];
    for (const f of frames) {
      const r = updateTracker(JSON.parse(JSON.stringify(state)) as TrackerState, f);
      state = r.state;
      viaJson.push(r.tracks);
    }
    expect(viaJson).toEqual(straight.outputs);
    expect(state).toEqual(straight.state);
  });
});
