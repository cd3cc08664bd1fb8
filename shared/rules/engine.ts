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
 * On top of that (all optional, see schema.ts): per-rule and per-camera false-positive filters and
 * `inertia` decide which tracks a rule sees (a filtered track is treated like a coasting one: it keeps
 * what it had); `activeHours` in the camera's time zone gate violations only; `cooldownSeconds` folds
 * the incidents of a rule into one group key while the group is open or closed less than that long ago
 * (`memberKey` keeps the incident's own key); crowding `clearBelow`/`clearSeconds` are hysteresis.
 * Counting lines report `crossings` (in = left-to-right, out = right-to-left) and every polygon rule
 * reports its `occupancy` for the frame; both go on whether or not the rule is active.
 *
 * `evaluateRules` is pure: inputs are not mutated and the returned state is a fresh plain-JSON
 * object whose size is bounded by (rules × live tracks).
 */
import { DateTime } from 'luxon';
import { crossingDirection, pointInPolygon, sideOfLine, type Point } from './geometry.js';
import { DEFAULT_COUNT_HYSTERESIS_PX, type Filters, type Rule, type RuleSet, type RuleType } from './schema.js';

export interface EngineTrack {
  trackId: number;
  /** [x, y, w, h], top-left + size, image pixels. */
  box: readonly [number, number, number, number];
  /** Unconfirmed tracks are ignored. */
  confirmed: boolean;
  /** False = coasting (no detection this frame); defaults to true. */
  matched?: boolean;
  /** Score of this frame's detection (for `minScore`); unknown = passes. */
  score?: number;
}

export interface EngineFrame {
  tsMs: number;
  tracks: readonly EngineTrack[];
}

export interface EngineContext {
  /** IANA zone for `activeHours` (default UTC). */
  timeZone?: string;
}

export interface Violation {
  ruleId: string;
  type: RuleType;
  /** Tracks involved, ascending (one for zone/loitering/line, the crowd for crowding). */
  trackIds: number[];
  /** When the incident began: the track's first entry (zone), start of the track's first stay
   *  that exceeded `seconds` (loitering), the crossing frame (line), the frame the crowd first
   *  reached minCount in this episode (crowding); with a cooldown, the group's first incident.
   *  Constant for a given incidentKey. */
  startedAt: number;
  /** This frame's timestamp. */
  at: number;
  /** The alarm's key: the incident's own key, or its cooldown group's. */
  incidentKey: string;
  /** With a cooldown: the incident's own key (incidentKey is then its group's). */
  memberKey?: string;
}

/** A counting line crossed by a track in this frame. */
export interface Crossing {
  ruleId: string;
  trackId: number;
  direction: 'in' | 'out';
  at: number;
}

/** Tracks inside a polygon rule (zone, loitering, crowding) in this frame. */
export interface Occupancy {
  ruleId: string;
  count: number;
}

/** Per-track presence in a polygon. `since`: first frame of the current continuous stay. */
export interface PresenceEntry {
  in: boolean;
  since: number | null;
  /** startedAt of this track's incident once it has fired (kept so the key's startedAt is stable). */
  incidentAt: number | null;
}

/** Last point of the track that was strictly on one side of the line (outside its band). */
export interface LineEntry {
  side: 'left' | 'right';
  x: number;
  y: number;
}

/** An open cooldown group: its alarm key and start, and the last frame one of its incidents fired. */
export interface Group {
  key: string;
  startedAt: number;
  lastAt: number;
}

export type RuleRuntimeState =
  | { type: 'zone'; tracks: Record<string, PresenceEntry>; group?: Group | null }
  | { type: 'loitering'; tracks: Record<string, PresenceEntry>; group?: Group | null }
  | { type: 'line'; tracks: Record<string, LineEntry>; group?: Group | null }
  | { type: 'crowding'; inside: number[]; episodeStart: number | null; belowSince?: number | null; group?: Group | null };

/** Consecutive matched frames of a track (`run`) and the longest such run so far (`best`), for inertia. */
export interface Streak {
  run: number;
  best: number;
}

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
  /** Keyed by track id; absent in states written before inertia existed. */
  streaks?: Record<string, Streak>;
}

export interface RuleEvaluation {
  ruleState: RuleEngineState;
  violations: Violation[];
  crossings: Crossing[];
  occupancy: Occupancy[];
  /** True when the frame was not newer than the last evaluated one: nothing changed. */
  ignored: boolean;
}

/** A cooldown group never spans more than this: an all-day stream of incidents is one alarm an hour. */
export const MAX_GROUP_MS = 3_600_000;

export function createRuleState(): RuleEngineState {
  return { v: 1, lastTsMs: null, rules: {}, streaks: {} };
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
  box: readonly [number, number, number, number];
  score: number | undefined;
  best: number;
}

const DAY_INDEX: Record<string, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Local weekday (1 = Monday) and minute of the day of ts in the zone. */
export interface LocalTime {
  day: number;
  minute: number;
}
let lastLocal: { key: string; value: LocalTime } | undefined;
export function localTime(ts: number, timeZone = 'UTC'): LocalTime {
  // Frames of a camera come in order, many per minute: the zone lookup (Intl) is done once a minute.
  const key = `${timeZone}|${Math.floor(ts / 60_000)}`;
  if (lastLocal?.key === key) return lastLocal.value;
  const t = DateTime.fromMillis(ts, { zone: timeZone });
  const value = { day: t.weekday, minute: t.hour * 60 + t.minute };
  lastLocal = { key, value };
  return value;
}

/** Whether `activeHours` allow alarms at ts (or at a precomputed local time); no schedule = always. */
export function isActive(activeHours: Rule['activeHours'], ts: number | LocalTime, timeZone = 'UTC'): boolean {
  if (!activeHours) return true;
  const { day, minute: m } = typeof ts === 'number' ? localTime(ts, timeZone) : ts;
  const yesterday = day === 1 ? 7 : day - 1;
  return activeHours.some((r) => {
    const from = minutesOf(r.from);
    const to = minutesOf(r.to);
    const days = r.days.map((d) => DAY_INDEX[d]);
    if (from < to) return days.includes(day) && m >= from && m < to;
    // Overnight: the evening part belongs to the listed day, the morning part to the day after it.
    return (days.includes(day) && m >= from) || (days.includes(yesterday) && m < to);
  });
}

const FILTER_KEYS = ['minScore', 'minArea', 'maxArea', 'minAspect', 'maxAspect', 'inertia', 'masks'] as const;
// Rule sets are immutable values (parsed once per clip): the merged filters are worked out once each.
const filterCache = new WeakMap<Rule, { camera: Filters | undefined; filters: Filters }>();

/** The filters a rule judges tracks by: the camera's, overridden field by field by the rule's. */
function filtersOf(rule: Rule, camera: Filters | undefined): Filters {
  const hit = filterCache.get(rule);
  if (hit && hit.camera === camera) return hit.filters;
  const f: Filters = { ...camera };
  for (const k of FILTER_KEYS) {
    if (rule[k] !== undefined) (f as Record<string, unknown>)[k] = rule[k];
  }
  filterCache.set(rule, { camera, filters: f });
  return f;
}

const noFilter = (f: Filters) => FILTER_KEYS.every((k) => f[k] === undefined);

/** Whether this frame's sighting of the track is one the rule believes. */
function passes(t: Obs, f: Filters): boolean {
  if (t.best < (f.inertia ?? 1)) return false;
  if (f.minScore !== undefined && t.score !== undefined && t.score < f.minScore) return false;
  const [, , w, h] = t.box;
  const area = w * h;
  if (f.minArea !== undefined && area < f.minArea) return false;
  if (f.maxArea !== undefined && area > f.maxArea) return false;
  const aspect = w > 0 ? h / w : Infinity;
  if (f.minAspect !== undefined && aspect < f.minAspect) return false;
  if (f.maxAspect !== undefined && aspect > f.maxAspect) return false;
  if (f.masks?.some((m) => pointInPolygon(t.point, m))) return false;
  return true;
}

/** A violation of the rule, folded into its open cooldown group (or opening one) when it has a cooldown. */
function violation(rule: Rule, group: Group | null, ts: number, trackIds: number[], startedAt: number, key: string): { violation: Violation; group: Group | null } {
  if (rule.cooldownSeconds === undefined) {
    return { violation: { ruleId: rule.id, type: rule.type, trackIds, startedAt, at: ts, incidentKey: key }, group: null };
  }
  const open = group !== null && ts - group.lastAt <= rule.cooldownSeconds * 1000 && ts - group.startedAt <= MAX_GROUP_MS;
  const g = open ? { key: group.key, startedAt: group.startedAt, lastAt: ts } : { key, startedAt, lastAt: ts };
  return { violation: { ruleId: rule.id, type: rule.type, trackIds, startedAt: g.startedAt, at: ts, incidentKey: g.key, memberKey: key }, group: g };
}

export function evaluateRules(
  ruleSet: RuleSet,
  ruleState: RuleEngineState,
  frame: EngineFrame,
  ctx: EngineContext = {},
): RuleEvaluation {
  const ts = frame.tsMs;
  if (!Number.isFinite(ts)) throw new RangeError(`frame.tsMs must be finite, got ${ts}`);
  if (ruleState.lastTsMs !== null && ts <= ruleState.lastTsMs) {
    return { ruleState, violations: [], crossings: [], occupancy: [], ignored: true };
  }

  const prevStreaks = ruleState.streaks ?? {};
  const streaks: Record<string, Streak> = {};
  const byId = new Map<number, Obs>(); // first occurrence wins if a caller passes duplicates
  for (const t of frame.tracks) {
    if (!t.confirmed || byId.has(t.trackId)) continue;
    const key = String(t.trackId);
    const matched = t.matched !== false;
    const before = prevStreaks[key];
    const run = matched ? (before?.run ?? 0) + 1 : 0;
    // A track from a state without streaks has been seen before: it is not held back by inertia.
    const best = Math.max(before?.best ?? (ruleState.streaks ? 0 : Infinity), run);
    streaks[key] = { run, best: Number.isFinite(best) ? best : 1_000 };
    byId.set(t.trackId, { id: t.trackId, key, matched, point: anchorPoint(t.box), box: t.box, score: t.score, best: streaks[key].best });
  }
  const allTracks = [...byId.values()].sort((a, b) => a.id - b.id);
  // The frame's local time once, for every rule with a schedule.
  const local = ruleSet.rules.some((r) => r.activeHours) ? localTime(ts, ctx.timeZone) : undefined;

  const violations: Violation[] = [];
  const crossings: Crossing[] = [];
  const occupancy: Occupancy[] = [];
  const rules: Record<string, RuleRuntimeState> = {};
  for (const rule of ruleSet.rules) {
    const prevAny = ruleState.rules[rule.id];
    const prev = prevAny?.type === rule.type ? prevAny : undefined;
    const f = filtersOf(rule, ruleSet.filters);
    // A sighting the rule does not believe counts as a miss: the track keeps what it had.
    const tracks = noFilter(f) ? allTracks : allTracks.map((t) => (t.matched && !passes(t, f) ? { ...t, matched: false } : t));
    const active = local ? isActive(rule.activeHours, local) : true;
    let group: Group | null = rule.cooldownSeconds === undefined ? null : (prev?.group ?? null);
    // Only rules with a cooldown carry a group, so states of other rules keep their old shape.
    const withGroup = rule.cooldownSeconds !== undefined;
    const emit = (trackIds: number[], incidentStart: number, key: string) => {
      if (!active) return;
      const v = violation(rule, group, ts, trackIds, incidentStart, key);
      group = v.group;
      violations.push(v.violation);
    };
    switch (rule.type) {
      case 'zone':
      case 'loitering': {
        const prevTracks = prev?.type === 'zone' || prev?.type === 'loitering' ? prev.tracks : {};
        const next: Record<string, PresenceEntry> = {};
        const needMs = (rule.type === 'zone' ? (rule.minDurationSeconds ?? 0) : rule.seconds) * 1000;
        let inCount = 0;
        for (const t of tracks) {
          const before = prevTracks[t.key];
          const inside = t.matched ? pointInPolygon(t.point, rule.polygon) : (before?.in ?? false);
          if (inside) inCount++;
          const since = inside ? (before?.in && before.since !== null ? before.since : ts) : null;
          let incidentAt = before?.incidentAt ?? null;
          if (inside && since !== null && ts - since >= needMs && active) {
            incidentAt ??= since;
            emit([t.id], incidentAt, `${rule.id}#t${t.id}`);
          }
          // Only keep what carries information: bounded by the live tracks of interest.
          if (inside || incidentAt !== null) next[t.key] = { in: inside, since, incidentAt };
        }
        occupancy.push({ ruleId: rule.id, count: inCount });
        rules[rule.id] = { type: rule.type, tracks: next, ...(withGroup ? { group } : {}) };
        break;
      }
      case 'line': {
        const prevTracks = prev?.type === 'line' ? prev.tracks : {};
        const next: Record<string, LineEntry> = {};
        const band = rule.hysteresis ?? (rule.count ? DEFAULT_COUNT_HYSTERESIS_PX : 0);
        const alarms = rule.alarm ?? rule.count !== true;
        const direction = rule.direction ?? 'any';
        for (const t of tracks) {
          const before = prevTracks[t.key];
          if (!t.matched) {
            if (before) next[t.key] = before;
            continue;
          }
          const side = sideOfLine(t.point, rule.from, rule.to, band);
          if (side === 'on') {
            // Keep the last strictly-sided point: a step onto the line (or into its band) then off
            // the other side is still one crossing, detected when it leaves.
            if (before) next[t.key] = before;
            continue;
          }
          if (before && before.side !== side) {
            const dir = crossingDirection([before.x, before.y], t.point, rule.from, rule.to);
            if (dir) {
              if (rule.count) crossings.push({ ruleId: rule.id, trackId: t.id, direction: dir === 'left-to-right' ? 'in' : 'out', at: ts });
              if (alarms && (direction === 'any' || direction === dir)) {
                emit([t.id], ts, `${rule.id}#t${t.id}#${ts}`);
              }
            }
          }
          next[t.key] = { side, x: t.point[0], y: t.point[1] };
        }
        rules[rule.id] = { type: 'line', tracks: next, ...(withGroup ? { group } : {}) };
        break;
      }
      case 'crowding': {
        const prevCrowd = prev?.type === 'crowding' ? prev : undefined;
        const prevInside = new Set(prevCrowd?.inside ?? []);
        const inside = tracks
          .filter((t) => (t.matched ? pointInPolygon(t.point, rule.polygon) : prevInside.has(t.id)))
          .map((t) => t.id);
        occupancy.push({ ruleId: rule.id, count: inside.length });
        const clearBelow = rule.clearBelow ?? rule.minCount;
        let episodeStart = prevCrowd?.episodeStart ?? null;
        let belowSince = prevCrowd?.belowSince ?? null;
        if (episodeStart === null) {
          if (inside.length >= rule.minCount) {
            episodeStart = ts;
            belowSince = null;
          }
        } else if (inside.length >= clearBelow) {
          belowSince = null;
        } else {
          belowSince ??= ts;
          if (ts - belowSince >= (rule.clearSeconds ?? 0) * 1000) {
            episodeStart = null;
            belowSince = null;
            // A new episode may begin in this very frame (clearBelow = 0 with nobody inside cannot).
            if (inside.length >= rule.minCount) episodeStart = ts;
          }
        }
        if (episodeStart !== null && belowSince === null && ts - episodeStart >= rule.seconds * 1000) {
          emit(inside, episodeStart, `${rule.id}#${episodeStart}`);
        }
        rules[rule.id] = { type: 'crowding', inside, episodeStart, ...(belowSince !== null ? { belowSince } : {}), ...(withGroup ? { group } : {}) };
        break;
      }
    }
  }

  return { ruleState: { v: 1, lastTsMs: ts, rules, streaks }, violations, crossings, occupancy, ignored: false };
}
