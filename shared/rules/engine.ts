/**
 * Evaluates a camera's rule set against the tracker output of one frame.
 *
 * Each confirmed track is reduced to the bottom-centre of its box (where the person stands).
 * Only MATCHED tracks are observations: a coasting track (tracker `matched: false`, i.e. the
 * detector missed it this frame) keeps the inside/outside status and line side it had, so one
 * missed detection neither resets a loitering timer nor invents a line crossing from an
 * extrapolated position. A track absent from `frame.tracks` is gone (dead) and its state dropped —
 * so pass the tracker's full output, not just the matched tracks.
 *
 * Incident keys (unique per camera; the alarm layer prefixes the camera id). Rule ids cannot
 * contain '#' (see schema), so keys are unambiguous:
 *   zone       `<ruleId>#t<trackId>`            one incident per track per zone, emitted every frame
 *                                               the track is inside; re-entries reuse the key
 *   loitering  `<ruleId>#t<trackId>`            emitted every frame while dwell ≥ seconds
 *   line       `<ruleId>#t<trackId>#<tsMs>`     one event per crossing, on the crossing frame
 *   crowding   `<ruleId>#<episodeStartMs>`      one incident per episode of count ≥ minCount
 * For a given key, `startedAt` never changes, so repeated emissions are idempotent updates.
 *
 * Semantics: inside = bottom-centre in the polygon, boundary included. Loitering fires once the
 * current continuous stay has lasted ≥ `seconds` (stay start = first frame observed inside).
 * Crowding counts confirmed tracks inside; an episode starts on the first frame with
 * count ≥ minCount, fires once it has lasted ≥ `seconds`, and ends on the first frame with fewer
 * (coasting members still count, so one missed detection does not split an episode).
 *
 * `evaluateRules` is pure: inputs are not mutated and the returned state is a fresh plain-JSON
 * object whose size is bounded by (rules × live tracks).
 */
import { crossingDirection, pointInPolygon, sideOfLine, type Point } from './geometry.js';
import type { RuleSet, RuleType } from './schema.js';

export interface EngineTrack {
  trackId: number;
  /** [x, y, w, h], top-left + size, image pixels. */
  box: readonly [number, number, number, number];
  /** Unconfirmed tracks are ignored. */
  confirmed: boolean;
  /** False = coasting (no detection this frame); defaults to true. */
  matched?: boolean;
}

export interface EngineFrame {
  tsMs: number;
  tracks: readonly EngineTrack[];
}

export interface Violation {
  ruleId: string;
  type: RuleType;
  /** Tracks involved, ascending (one for zone/loitering/line, the crowd for crowding). */
  trackIds: number[];
  /** When the incident began: the track's first entry (zone), start of the track's first stay
   *  that exceeded `seconds` (loitering), the crossing frame (line), the frame the crowd first
   *  reached minCount in this episode (crowding). Constant for a given incidentKey. */
  startedAt: number;
  /** This frame's timestamp. */
  at: number;
  incidentKey: string;
}

/** Per-track presence in a polygon. `since`: first frame of the current continuous stay. */
export interface PresenceEntry {
  in: boolean;
  since: number | null;
  /** startedAt of this track's incident once it has fired (kept so the key's startedAt is stable). */
  incidentAt: number | null;
}

/** Last point of the track that was strictly on one side of the line. */
export interface LineEntry {
  side: 'left' | 'right';
  x: number;
  y: number;
}

export type RuleRuntimeState =
  | { type: 'zone'; tracks: Record<string, PresenceEntry> }
  | { type: 'loitering'; tracks: Record<string, PresenceEntry> }
  | { type: 'line'; tracks: Record<string, LineEntry> }
  | { type: 'crowding'; inside: number[]; episodeStart: number | null };

export interface RuleEngineState {
  v: 1;
  lastTsMs: number | null;
  /**
   * Keyed by rule id. Entries of removed rules are dropped; an id whose type changed starts
   * afresh. A rule edited in place (same id and type) keeps its state on purpose: presence is
   * re-evaluated against the new geometry at the next observation, line state is the track's real
   * last position (so a crossing of the NEW line is judged correctly), and an incident key keeps
   * its startedAt.
   */
  rules: Record<string, RuleRuntimeState>;
}

export interface RuleEvaluation {
  ruleState: RuleEngineState;
  violations: Violation[];
  /** True when the frame was not newer than the last evaluated one: nothing changed. */
  ignored: boolean;
}

export function createRuleState(): RuleEngineState {
  return { v: 1, lastTsMs: null, rules: {} };
}

/** The point where a person touches the ground: bottom-centre of the box. */
export function anchorPoint(box: readonly [number, number, number, number]): Point {
  return [box[0] + box[2] / 2, box[1] + box[3]];
}

interface Obs {
  id: number;
  key: string;
  matched: boolean;
  point: Point;
}

export function evaluateRules(
  ruleSet: RuleSet,
  ruleState: RuleEngineState,
  frame: EngineFrame,
): RuleEvaluation {
  const ts = frame.tsMs;
  if (!Number.isFinite(ts)) throw new RangeError(`frame.tsMs must be finite, got ${ts}`);
  if (ruleState.lastTsMs !== null && ts <= ruleState.lastTsMs) {
    return { ruleState, violations: [], ignored: true };
  }

  const byId = new Map<number, Obs>(); // first occurrence wins if a caller passes duplicates
  for (const t of frame.tracks) {
    if (!t.confirmed || byId.has(t.trackId)) continue;
    byId.set(t.trackId, {
      id: t.trackId,
      key: String(t.trackId),
      matched: t.matched !== false,
      point: anchorPoint(t.box),
    });
  }
  const tracks = [...byId.values()].sort((a, b) => a.id - b.id);

  const violations: Violation[] = [];
  const rules: Record<string, RuleRuntimeState> = {};
  for (const rule of ruleSet.rules) {
    const prevAny = ruleState.rules[rule.id];
    const prev = prevAny?.type === rule.type ? prevAny : undefined;
    switch (rule.type) {
      case 'zone':
      case 'loitering': {
        const prevTracks = prev?.type === 'zone' || prev?.type === 'loitering' ? prev.tracks : {};
        const next: Record<string, PresenceEntry> = {};
        for (const t of tracks) {
          const before = prevTracks[t.key];
          const inside = t.matched ? pointInPolygon(t.point, rule.polygon) : (before?.in ?? false);
          const since = inside ? (before?.in && before.since !== null ? before.since : ts) : null;
          let incidentAt = before?.incidentAt ?? null;
          if (inside && since !== null) {
            const fires = rule.type === 'zone' || ts - since >= rule.seconds * 1000;
            if (fires) {
              incidentAt ??= since;
              violations.push({
                ruleId: rule.id,
                type: rule.type,
                trackIds: [t.id],
                startedAt: incidentAt,
                at: ts,
                incidentKey: `${rule.id}#t${t.id}`,
              });
            }
          }
          // Only keep what carries information: bounded by the live tracks of interest.
          if (inside || incidentAt !== null) next[t.key] = { in: inside, since, incidentAt };
        }
        rules[rule.id] = { type: rule.type, tracks: next };
        break;
      }
      case 'line': {
        const prevTracks = prev?.type === 'line' ? prev.tracks : {};
        const next: Record<string, LineEntry> = {};
        for (const t of tracks) {
          const before = prevTracks[t.key];
          if (!t.matched) {
            if (before) next[t.key] = before;
            continue;
          }
          const side = sideOfLine(t.point, rule.from, rule.to);
          if (side === 'on') {
            // Keep the last strictly-sided point: a step onto the line then off the other side
            // is still one crossing, detected when it leaves the line.
            if (before) next[t.key] = before;
            continue;
          }
          if (before && before.side !== side) {
            const dir = crossingDirection([before.x, before.y], t.point, rule.from, rule.to);
            if (dir && (rule.direction === 'any' || rule.direction === dir)) {
              violations.push({
                ruleId: rule.id,
                type: 'line',
                trackIds: [t.id],
                startedAt: ts,
                at: ts,
                incidentKey: `${rule.id}#t${t.id}#${ts}`,
              });
            }
          }
          next[t.key] = { side, x: t.point[0], y: t.point[1] };
        }
        rules[rule.id] = { type: 'line', tracks: next };
        break;
      }
      case 'crowding': {
        const prevInside = new Set(prev?.type === 'crowding' ? prev.inside : []);
        const inside = tracks
          .filter((t) => (t.matched ? pointInPolygon(t.point, rule.polygon) : prevInside.has(t.id)))
          .map((t) => t.id);
        let episodeStart: number | null = null;
        if (inside.length >= rule.minCount) {
          episodeStart = prev?.type === 'crowding' && prev.episodeStart !== null ? prev.episodeStart : ts;
          if (ts - episodeStart >= rule.seconds * 1000) {
            violations.push({
              ruleId: rule.id,
              type: 'crowding',
              trackIds: inside,
              startedAt: episodeStart,
              at: ts,
              incidentKey: `${rule.id}#${episodeStart}`,
            });
          }
        }
        rules[rule.id] = { type: 'crowding', inside, episodeStart };
        break;
      }
    }
  }

  return { ruleState: { v: 1, lastTsMs: ts, rules }, violations, ignored: false };
}
