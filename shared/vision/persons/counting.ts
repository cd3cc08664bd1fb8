/**
 * From an engine's person candidates to a count: the same rules for every model, tuned per model
 * (defaults in engines.ts) and per camera (calibration).
 *
 * 1. Size and shape: `minArea`/`maxArea` (px² in the image's pixels), `minAspect`/`maxAspect` (h / w), before
 *    NMS, so a box no person has does not suppress the persons it covers.
 *    Then person-only NMS (greedy, best first). Boxes from different tiles also merge when one lies mostly
 *    inside the other (a person cut by a tile border is a partial box inside the whole one).
 * 2. Crowd-adaptive threshold: in a crowd each person scores lower (occlusion, small size), so when at
 *    least `crowdFrom` persons score ≥ `minScore`, persons count from `crowdMinScore`. Sparse scenes keep
 *    the strict `minScore`, which keeps cones, bags and signs out of CCTV counts.
 * 3. Masks: a person whose ground point (bottom-centre, as in the clip rules) is inside a mask is dropped.
 *    The crowd's count is then scaled by `crowdScale` for the people no detector can see (occluded).
 * 4. Top edge: a box whose top edge touches the image top is a person whose head is out of frame (legs
 *    walking in at the top of a crowd photo). Operators count heads, so are the datasets: not counted.
 * `count` is what is left; `inRegion` the part of it whose ground point lies inside `countRegion`.
 */
import { pointInPolygon, type Polygon } from '../../rules/geometry.js';
import type { Candidate } from './types.js';

export interface CountSettings {
  minScore: number;
  /** Crowd rule: the lower threshold … */
  crowdMinScore?: number;
  /** … used when at least this many persons score ≥ minScore. */
  crowdFrom?: number;
  /**
   * In a crowd, people hidden behind others are not seen at all: the crowd rule multiplies the count by
   * this factor (≥ 1, fitted like the thresholds; 1 = off). Detections stay the boxes actually found.
   */
  crowdScale?: number;
  /** NMS IoU: boxes overlapping more than this with a better one are one person. */
  iou: number;
  ignoreTopEdge: boolean;
  minArea?: number;
  maxArea?: number;
  minAspect?: number;
  maxAspect?: number;
  masks?: Polygon[];
  countRegion?: Polygon;
}

/** A candidate that may come from a tile; boxes of different tiles also merge by containment. */
export type TiledCandidate = Candidate & { tile?: number };

export interface Counted {
  /** Persons counted (after every rule), best first. */
  persons: Candidate[];
  count: number;
  /** Persons whose ground point is inside `countRegion` (undefined without one). */
  inRegion?: number;
  /** The threshold that applied (minScore, or crowdMinScore when the crowd rule fired). */
  threshold: number;
}

/** Fraction of the smaller box inside the other above which boxes of different tiles are one person. */
const TILE_CONTAINMENT = 0.7;

export function lowestThreshold(s: Pick<CountSettings, 'minScore' | 'crowdMinScore' | 'crowdFrom'>): number {
  return s.crowdFrom !== undefined && s.crowdMinScore !== undefined ? Math.min(s.minScore, s.crowdMinScore) : s.minScore;
}

/**
 * `crowd`: the crowd decision when the caller made it already (on the whole-image pass, before tiling);
 * otherwise it is made here on the candidates.
 */
export function countPersons(candidates: readonly TiledCandidate[], size: { width: number; height: number }, s: CountSettings, crowd?: boolean): Counted {
  const floor = lowestThreshold(s);
  // Shape first: a box no person could have (SSD's "group" box around a whole queue) must not suppress the
  // persons inside it in NMS.
  const kept = nms(candidates.filter((c) => c.score >= floor && personShaped(c, s)), s.iou);
  if (s.crowdFrom === undefined || s.crowdMinScore === undefined) crowd = false;
  crowd ??= kept.filter((c) => c.score >= s.minScore).length >= s.crowdFrom!;
  const threshold = crowd ? s.crowdMinScore! : s.minScore;
  const topEdge = topEdgeOf(size.height);
  const persons = kept.filter((c) => {
    if (c.score < threshold) return false;
    if (s.ignoreTopEdge && c.y1 <= topEdge) return false;
    if (s.masks?.length) {
      const p = groundPoint(c);
      if (s.masks.some((m) => pointInPolygon(p, m))) return false;
    }
    return true;
  });
  const region = s.countRegion;
  const scale = crowd && s.crowdScale ? s.crowdScale : 1;
  return {
    persons,
    count: Math.round(persons.length * scale),
    ...(region ? { inRegion: Math.round(persons.filter((c) => pointInPolygon(groundPoint(c), region)).length * scale) } : {}),
    threshold,
  };
}

/** The crowd rule's test on one pass: at least crowdFrom distinct person-shaped boxes at minScore. */
export function isCrowd(c: readonly Candidate[], s: CountSettings): boolean {
  if (s.crowdFrom === undefined || s.crowdMinScore === undefined) return false;
  return nms(c.filter((x) => x.score >= s.minScore && personShaped(x, s)), s.iou).length >= s.crowdFrom;
}

/** A box touching the top edge ends this close to it (px): 0.5 % of the height, at least 1. */
export const topEdgeOf = (height: number) => Math.max(1, height * 0.005);

/** Size and shape rules (px², h / w): whether a box could be one person. */
export function personShaped(c: Candidate, s: Pick<CountSettings, 'minArea' | 'maxArea' | 'minAspect' | 'maxAspect'>): boolean {
  const w = c.x2 - c.x1;
  const h = c.y2 - c.y1;
  if (w < 1 || h < 1) return false;
  const area = w * h;
  if (s.minArea !== undefined && area < s.minArea) return false;
  if (s.maxArea !== undefined && area > s.maxArea) return false;
  if (s.minAspect !== undefined && h / w < s.minAspect) return false;
  if (s.maxAspect !== undefined && h / w > s.maxAspect) return false;
  return true;
}

/** Where the person stands: bottom-centre of the box (the clip rules use the same point). */
export const groundPoint = (c: Candidate): [number, number] => [(c.x1 + c.x2) / 2, c.y2];

export function nms<T extends TiledCandidate>(boxes: readonly T[], iouThreshold: number): T[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const b of sorted) {
    let dup = false;
    for (const k of kept) {
      const inter = intersection(k, b);
      if (inter <= 0) continue;
      const ab = area(b);
      const ak = area(k);
      if (inter / (ab + ak - inter) > iouThreshold) { dup = true; break; }
      if (b.tile !== k.tile && inter / Math.min(ab, ak) > TILE_CONTAINMENT) { dup = true; break; }
    }
    if (!dup) kept.push(b);
  }
  return kept;
}

const area = (c: Candidate) => Math.max(0, c.x2 - c.x1) * Math.max(0, c.y2 - c.y1);

function intersection(a: Candidate, b: Candidate): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w > 0 && h > 0 ? w * h : 0;
}
