/**
 * SORT-like multi-object tracker for person detections at low frame rates (~2 fps).
 *
 * - Motion model: per-track alpha–beta filter (a steady-state Kalman filter) on the box centre
 *   with constant velocity; box size is low-pass filtered without velocity (people's boxes change
 *   size slowly and size velocity mostly amplifies detector jitter).
 * - Association, two stages, each solved optimally with the Hungarian algorithm (see assignment.ts):
 *   1. IoU between each track's PREDICTED box and each detection, gated at `iouThreshold`.
 *   2. For what is left, centre distance normalised by the predicted box diagonal, gated at
 *      `maxCentreDistance` plus a size-ratio gate. At 2 fps a walking person moves ~⅔ of a box
 *      width between frames, so a track with no velocity estimate yet (just born) or one whose
 *      velocity changed often has IoU 0 with its own next detection; plain SORT would then kill it
 *      and spawn a new id. IoU still wins whenever it is informative because it is matched first.
 * - Lifecycle: a track is born tentative from an unmatched detection, becomes `confirmed` after
 *   `minHits` matches (and stays confirmed). A tentative track that misses a single frame is
 *   dropped (spurious detections are usually one-offs). A confirmed track survives misses and is
 *   deleted once more than `maxAgeMs` has elapsed since its last match — measured in frame
 *   timestamps, so the few hundred ms gap between two clips is just a longer dt, not a death.
 * - Ids come from `nextTrackId` in the state: monotonically increasing per camera, never reused.
 *
 * `updateTracker` is pure: it never mutates its inputs and returns a fresh state. The state is a
 * plain JSON object (numbers, booleans, arrays), bounded by `maxTracks`, so it can be stored in
 * DynamoDB between clips and round-trips through JSON.stringify/parse exactly.
 */
import { maxWeightAssignment } from './assignment.js';

/** [x, y, w, h]: top-left corner, width and height, in image pixels. */
export type Box = [number, number, number, number];

export interface Detection {
  box: readonly [number, number, number, number];
  score: number;
}

export interface TrackerFrame {
  /** Frame timestamp, epoch ms. */
  tsMs: number;
  detections: readonly Detection[];
}

export interface TrackerParams {
  /** Minimum IoU (predicted box vs detection) for a stage-1 match. */
  iouThreshold: number;
  /** Stage-2 gate: centre distance / predicted box diagonal must be below this. 0 disables stage 2. */
  maxCentreDistance: number;
  /** Stage-2 gate: width and height may differ by at most this factor. */
  maxSizeRatio: number;
  /** Matches (including the birth detection) needed before a track is confirmed. */
  minHits: number;
  /** A confirmed track unmatched for longer than this (frame time) is deleted. */
  maxAgeMs: number;
  /** Hard cap on live tracks, so the persisted state stays small. */
  maxTracks: number;
  /** Detections scoring below this are ignored (0 = trust the detector's own threshold). */
  minScore: number;
  /** Alpha–beta filter gains: position correction and velocity correction. */
  alpha: number;
  beta: number;
}

export const DEFAULT_TRACKER_PARAMS: Readonly<TrackerParams> = Object.freeze({
  iouThreshold: 0.3,
  maxCentreDistance: 1,
  maxSizeRatio: 2,
  minHits: 2,
  // One missed frame at a clip boundary (500 ms frame step + ~500 ms gap + 500 ms) stays below this.
  maxAgeMs: 2000,
  maxTracks: 64,
  minScore: 0,
  // Responsive gains (stable: 0 < α < 1, 0 < β < 4 − 2α): at 2 fps the detector is far more
  // precise than a constant-velocity guess over 500 ms, so trust measurements heavily.
  alpha: 0.75,
  beta: 0.5,
});

/** Persisted per-track filter state, valid as of `lastSeenTsMs` (only matches change it). */
export interface TrackRecord {
  id: number;
  /** Box centre and size (px). */
  cx: number;
  cy: number;
  w: number;
  h: number;
  /** Centre velocity (px per ms). */
  vx: number;
  vy: number;
  hits: number;
  confirmed: boolean;
  firstSeenTsMs: number;
  lastSeenTsMs: number;
}

export interface TrackerState {
  v: 1;
  /** Id the next born track gets. */
  nextTrackId: number;
  /** Timestamp of the last processed frame; older or equal frames are ignored. */
  lastTsMs: number | null;
  /** Live tracks, ordered by id. */
  tracks: TrackRecord[];
}

export interface TrackOutput {
  trackId: number;
  /** The filtered box if matched in this frame, else the constant-velocity prediction. */
  box: Box;
  confirmed: boolean;
  /** False when the track is coasting (no detection this frame). */
  matched: boolean;
  hits: number;
  /** Frame time since the track was born. */
  ageMs: number;
  /** Frame time since the track was last matched (0 when matched). */
  sinceSeenMs: number;
  /** Index into `frame.detections` of the matched detection, or null. */
  detectionIndex: number | null;
}

export interface TrackerUpdate {
  state: TrackerState;
  /** All live tracks (tentative and confirmed, matched and coasting), ordered by id. */
  tracks: TrackOutput[];
  /**
   * True when the frame was not newer than the last processed one (redelivery): the state is
   * returned unchanged and `tracks` is empty — callers should skip downstream processing.
   */
  ignored: boolean;
}

export function createTrackerState(): TrackerState {
  return { v: 1, nextTrackId: 1, lastTsMs: null, tracks: [] };
}

const toBox = (t: { cx: number; cy: number; w: number; h: number }): Box => [
  t.cx - t.w / 2,
  t.cy - t.h / 2,
  t.w,
  t.h,
];

export function iou(a: readonly number[], b: readonly number[]): number {
  const [ax, ay, aw, ah] = a as [number, number, number, number];
  const [bx, by, bw, bh] = b as [number, number, number, number];
  const ix = Math.min(ax + aw, bx + bw) - Math.max(ax, bx);
  const iy = Math.min(ay + ah, by + bh) - Math.max(ay, by);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  return inter / (aw * ah + bw * bh - inter);
}

interface Prediction {
  track: TrackRecord;
  cx: number;
  cy: number;
  w: number;
  h: number;
  box: Box;
}

interface Obs {
  index: number;
  cx: number;
  cy: number;
  w: number;
  h: number;
  score: number;
  box: readonly number[];
}

export function updateTracker(
  state: TrackerState,
  frame: TrackerFrame,
  params: Partial<TrackerParams> = {},
): TrackerUpdate {
  const p: TrackerParams = { ...DEFAULT_TRACKER_PARAMS, ...params };
  const ts = frame.tsMs;
  if (!Number.isFinite(ts)) throw new RangeError(`frame.tsMs must be finite, got ${ts}`);
  // Frames arrive in order per camera; anything not newer is a redelivery of work already done.
  if (state.lastTsMs !== null && ts <= state.lastTsMs) {
    return { state, tracks: [], ignored: true };
  }

  const obs: Obs[] = [];
  frame.detections.forEach((d, index) => {
    const [x, y, w, h] = d.box;
    if (![x, y, w, h, d.score].every(Number.isFinite) || w <= 0 || h <= 0) return;
    if (d.score < p.minScore) return;
    obs.push({ index, cx: x + w / 2, cy: y + h / 2, w, h, score: d.score, box: d.box });
  });

  // Tracks unmatched for too long are dead before association: they must not grab a detection.
  const preds: Prediction[] = state.tracks
    .filter((t) => ts - t.lastSeenTsMs <= p.maxAgeMs)
    .map((t) => {
      const dt = ts - t.lastSeenTsMs;
      const cx = t.cx + t.vx * dt;
      const cy = t.cy + t.vy * dt;
      return { track: t, cx, cy, w: t.w, h: t.h, box: toBox({ cx, cy, w: t.w, h: t.h }) };
    });

  const matchOf = new Map<number, Obs>(); // prediction index → observation
  const usedObs = new Set<number>(); // observation index (into obs)

  // Stage 1: IoU.
  const iouW = preds.map((pr) =>
    obs.map((o) => {
      const v = iou(pr.box, o.box);
      return v >= p.iouThreshold ? v : 0;
    }),
  );
  for (const [r, c] of maxWeightAssignment(iouW)) {
    matchOf.set(r, obs[c]!);
    usedObs.add(c);
  }

  // Stage 2: normalised centre distance for the leftovers.
  if (p.maxCentreDistance > 0) {
    const restP = preds.map((_, i) => i).filter((i) => !matchOf.has(i));
    const restO = obs.map((_, i) => i).filter((i) => !usedObs.has(i));
    const distW = restP.map((pi) => {
      const pr = preds[pi]!;
      const diag = Math.hypot(pr.w, pr.h);
      return restO.map((oi) => {
        const o = obs[oi]!;
        const rw = Math.max(o.w / pr.w, pr.w / o.w);
        const rh = Math.max(o.h / pr.h, pr.h / o.h);
        if (rw > p.maxSizeRatio || rh > p.maxSizeRatio) return 0;
        const d = Math.hypot(o.cx - pr.cx, o.cy - pr.cy) / diag;
        return d < p.maxCentreDistance ? 1 - d / p.maxCentreDistance : 0;
      });
    });
    for (const [r, c] of maxWeightAssignment(distW)) {
      matchOf.set(restP[r]!, obs[restO[c]!]!);
      usedObs.add(restO[c]!);
    }
  }

  const out: Array<{ rec: TrackRecord; out: TrackOutput }> = [];
  preds.forEach((pr, i) => {
    const t = pr.track;
    const o = matchOf.get(i);
    if (!o) {
      if (!t.confirmed) return; // tentative tracks must be matched every frame
      out.push({
        rec: t, // unchanged: filter state stays at its last match
        out: {
          trackId: t.id,
          box: pr.box,
          confirmed: true,
          matched: false,
          hits: t.hits,
          ageMs: ts - t.firstSeenTsMs,
          sinceSeenMs: ts - t.lastSeenTsMs,
          detectionIndex: null,
        },
      });
      return;
    }
    const dt = ts - t.lastSeenTsMs;
    let cx: number, cy: number, vx: number, vy: number;
    if (t.hits === 1) {
      // Second observation: initialise velocity from the displacement instead of filtering
      // towards it from 0, which would lag a walking person for several frames.
      cx = o.cx;
      cy = o.cy;
      vx = (o.cx - t.cx) / dt;
      vy = (o.cy - t.cy) / dt;
    } else {
      const rx = o.cx - pr.cx;
      const ry = o.cy - pr.cy;
      cx = pr.cx + p.alpha * rx;
      cy = pr.cy + p.alpha * ry;
      vx = t.vx + (p.beta * rx) / dt;
      vy = t.vy + (p.beta * ry) / dt;
    }
    const w = t.w + p.alpha * (o.w - t.w);
    const h = t.h + p.alpha * (o.h - t.h);
    const hits = t.hits + 1;
    const rec: TrackRecord = {
      id: t.id,
      cx,
      cy,
      w,
      h,
      vx,
      vy,
      hits,
      confirmed: t.confirmed || hits >= p.minHits,
      firstSeenTsMs: t.firstSeenTsMs,
      lastSeenTsMs: ts,
    };
    out.push({ rec, out: trackOutput(rec, ts, o.index) });
  });

  // Bound the state: keep the most valuable existing tracks, then give births whatever room is left.
  out.sort(
    (a, b) =>
      Number(b.rec.confirmed) - Number(a.rec.confirmed) ||
      b.rec.lastSeenTsMs - a.rec.lastSeenTsMs ||
      b.rec.hits - a.rec.hits ||
      a.rec.id - b.rec.id,
  );
  const kept = out.slice(0, Math.max(0, p.maxTracks));
  let nextTrackId = state.nextTrackId;
  const births = obs
    .filter((_, i) => !usedObs.has(i))
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, Math.max(0, p.maxTracks - kept.length))
    .sort((a, b) => a.index - b.index); // ids in detection order, for readability
  for (const o of births) {
    const rec: TrackRecord = {
      id: nextTrackId++,
      cx: o.cx,
      cy: o.cy,
      w: o.w,
      h: o.h,
      vx: 0,
      vy: 0,
      hits: 1,
      confirmed: p.minHits <= 1,
      firstSeenTsMs: ts,
      lastSeenTsMs: ts,
    };
    kept.push({ rec, out: trackOutput(rec, ts, o.index) });
  }

  kept.sort((a, b) => a.rec.id - b.rec.id);
  return {
    state: { v: 1, nextTrackId, lastTsMs: ts, tracks: kept.map((k) => k.rec) },
    tracks: kept.map((k) => k.out),
    ignored: false,
  };
}

function trackOutput(rec: TrackRecord, ts: number, detectionIndex: number): TrackOutput {
  return {
    trackId: rec.id,
    box: toBox(rec),
    confirmed: rec.confirmed,
    matched: true,
    hits: rec.hits,
    ageMs: ts - rec.firstSeenTsMs,
    sinceSeenMs: 0,
    detectionIndex,
  };
}
