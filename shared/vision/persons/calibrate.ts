/**
 * Fitting counting settings to labelled images: the accuracy bench (per model, cross-validated) and
 * `panoptes calibrate` (per camera, leave-one-out) share it. One detection pass per image at a low floor
 * (personCandidates); every setting of the grid is then a cheap recount of those candidates. fastCount gives
 * exactly countPersons' count (checked by the bench and a unit test) without re-running NMS per setting.
 */
import { countPersons, nms, personShaped, topEdgeOf, type CountSettings, type TiledCandidate } from './counting.js';

export type Params = Pick<CountSettings, 'minScore' | 'crowdMinScore' | 'crowdFrom' | 'crowdScale' | 'iou' | 'ignoreTopEdge' | 'minAspect'>;

/** One labelled image: its whole-image candidates, the tiled ones when the model tiles crowds, the truth. */
export interface Labelled {
  truth: number;
  width: number;
  height: number;
  candidates: TiledCandidate[];
  tiled?: TiledCandidate[];
}

/** Per item, IoU and minAspect: kept scores best first, and whether each box touches the top edge. */
interface Kept { scores: Float64Array; top: Uint8Array }
export interface Prepared<T extends Labelled = Labelled> {
  item: T;
  single: Map<string, Kept>;
  tiled?: Map<string, Kept>;
}

const IOUS = [0.45, 0.5, 0.6, 0.7];
/** h / w below which a box is not a person (undefined: no rule); SSD draws "group" boxes around queues. */
export const MIN_ASPECTS = [undefined, 0.5, 0.8];
const keyOf = (s: Pick<Params, 'iou' | 'minAspect'>) => `${s.iou}/${s.minAspect ?? '-'}`;
const HIS = range(0.2, 0.75, 0.05);
const LOS = range(0.05, 0.55, 0.05);
const KS = [4, 6, 8, 10, 15, 20];
/** crowdScale 1 = the crowd rule only lowers the threshold. */
const SCALES = [1, 1.1, 1.2, 1.3, 1.4, 1.5];

function range(a: number, b: number, step: number): number[] {
  const out = [];
  for (let v = a; v <= b + 1e-9; v += step) out.push(Math.round(v * 100) / 100);
  return out;
}

/** The lowest threshold of the grid: detect at this floor once, then recount for every setting. */
export const FIT_FLOOR = 0.04;

function keptBy(cands: TiledCandidate[], height: number): Map<string, Kept> {
  const m = new Map<string, Kept>();
  const edge = topEdgeOf(height);
  for (const iou of IOUS) {
    for (const minAspect of MIN_ASPECTS) {
      const kept = nms(cands.filter((c) => personShaped(c, minAspect === undefined ? {} : { minAspect })), iou);
      m.set(keyOf({ iou, minAspect }), { scores: Float64Array.from(kept, (k) => k.score), top: Uint8Array.from(kept, (k) => (k.y1 <= edge ? 1 : 0)) });
    }
  }
  return m;
}

export function prepare<T extends Labelled>(items: T[]): Prepared<T>[] {
  return items.map((item) => ({
    item,
    single: keptBy(item.candidates, item.height),
    ...(item.tiled ? { tiled: keptBy(item.tiled, item.height) } : {}),
  }));
}

/** The crowd decision, on the whole-image pass (as personCandidates makes it). */
export function crowdOf(p: Prepared, s: Params): boolean {
  if (s.crowdFrom === undefined || s.crowdMinScore === undefined) return false;
  let strong = 0;
  for (const v of p.single.get(keyOf(s))!.scores) if (v >= s.minScore) strong++;
  return strong >= s.crowdFrom;
}

/** The count countPersons would give (no size/mask/region rules), from the prepared arrays. */
export function fastCount(p: Prepared, s: Params): number {
  const crowd = crowdOf(p, s);
  const { scores, top } = (crowd && p.tiled ? p.tiled : p.single).get(keyOf(s))!;
  const thr = crowd ? s.crowdMinScore! : s.minScore;
  let n = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= thr && !(s.ignoreTopEdge && top[i])) n++;
  return Math.round(n * (crowd && s.crowdScale ? s.crowdScale : 1));
}

/** The product's own count for these settings (what fastCount must equal). */
export function productCount(it: Labelled, s: CountSettings, crowd: boolean): number {
  return countPersons(crowd && it.tiled ? it.tiled : it.candidates, it, s, crowd).count;
}

export function* settingsGrid(): Generator<Params> {
  for (const minAspect of MIN_ASPECTS) for (const iou of IOUS) for (const ignoreTopEdge of [true, false]) for (const minScore of HIS) {
    const shape = minAspect === undefined ? {} : { minAspect };
    yield { minScore, iou, ignoreTopEdge, ...shape };
    for (const crowdMinScore of LOS) {
      if (crowdMinScore >= minScore) continue;
      for (const crowdFrom of KS) for (const crowdScale of SCALES) yield { minScore, crowdMinScore, crowdFrom, crowdScale, iou, ignoreTopEdge, ...shape };
    }
  }
}

/** The grid's setting with the lowest objective (first one on ties: the grid lists simpler settings first). */
export function fitSettings<T extends Labelled>(ps: Prepared<T>[], objective: (ps: Prepared<T>[], s: Params) => number): Params {
  let best: Params | undefined;
  let bestJ = Infinity;
  for (const s of settingsGrid()) {
    const j = objective(ps, s);
    if (j < bestJ - 1e-12) { bestJ = j; best = s; }
  }
  return best!;
}

/**
 * Relative error with a floor of 5 persons in the denominator: MAPE for crowds, close to MAE / 5 for sparse
 * scenes (where one person of error would otherwise weigh 50 %). A camera's calibration minimises its mean.
 */
export function relativeError(ps: Prepared[], s: Params): number {
  let e = 0;
  for (const p of ps) e += Math.abs(fastCount(p, s) - p.item.truth) / Math.max(5, p.item.truth);
  return ps.length ? e / ps.length : 0;
}

/** Leave-one-out: each item counted with the settings fitted on all the others. */
export function leaveOneOut<T extends Labelled>(ps: Prepared<T>[], objective: (ps: Prepared<T>[], s: Params) => number = relativeError): number[] {
  return ps.map((p, i) => fastCount(p, fitSettings(ps.filter((_, j) => j !== i), objective)));
}
