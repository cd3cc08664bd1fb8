/**
 * Person and face detection on photos and raw video frames.
 *
 * Persons: the configured person engine (persons/engines.ts: coco-ssd by default, CenterNet, YOLO ONNX)
 * proposes boxes; persons/counting.ts turns them into a count with the same rules for every model
 * (crowd-adaptive threshold, top edge, size, masks, count region). No ceiling: engines with a per-pass cap
 * are tiled once a pass comes near it. The model id and its licence go with every result.
 * Faces: blazeface → facemesh (verification + alignment) → faceres 1024-d descriptor, L2-normalised here.
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { toRgb, type DecodedImage, type RawImage } from './image.js';
import { FACE_DEFAULTS, exclusive, faceDetectConfig, loadFaceModels } from './model.js';
import { countPersons, isCrowd, lowestThreshold, type CountSettings, type TiledCandidate } from './persons/counting.js';
import type { Candidate } from './persons/types.js';
import { FIT_FLOOR, type Labelled } from './persons/calibrate.js';
import { loadPersonModel, type PersonModel, type PersonModelChoice } from './persons/engines.js';
import { detectTiles } from './persons/tiles.js';

export { NotAnImageError, type RawImage } from './image.js';
export type { CountSettings } from './persons/counting.js';
export { loadPersonModel, type PersonModel, type PersonModelChoice } from './persons/engines.js';

/** [x, y, width, height] in pixels of the input image (after EXIF orientation), clamped to the image. */
export type Box = [number, number, number, number];

export interface PersonDetection {
  box: Box;
  score: number;
}

export interface PersonResult {
  /** Persons counted in the whole image (masks and the other counting rules applied). */
  count: number;
  /** Persons whose ground point is in the camera's countRegion, when one is set. */
  inRegion?: number;
  /** The counted persons, best first (at most maxDetections of them). */
  detections: PersonDetection[];
  /** Model id, e.g. `coco-ssd-mobilenetv2@tfjs`: store it with the result. */
  model: string;
  /** Licence of the model's weights (SPDX id), stored with the result. */
  licence: string;
  /** The score threshold that applied (the crowd rule lowers it in crowds). */
  threshold: number;
  /** Decode + inference ms (excludes the one-off model load; includes waiting behind concurrent calls). */
  ms: number;
  width: number;
  height: number;
}

/** Per-call counting settings (a camera's calibration): unset fields take the model's defaults. */
export interface DetectPersonsOptions extends Partial<CountSettings> {
  /** At most this many detections are returned (the count is not capped). */
  maxDetections?: number;
  /** The model to use instead of the environment's (benchmarks, calibration). */
  model?: PersonModelChoice;
}

/** Longest side for faces: blazeface sees 256×256 but the embedding crop is cut from this resolution. */
const FACE_MAX_SIDE = 1600;

/** Detections returned per image by default; the count itself has no ceiling. */
export const MAX_PERSON_DETECTIONS = 1000;

/** Detects persons in an encoded image (JPEG, PNG, WebP, …) or a raw RGB(A) frame. */
export async function detectPersons(
  image: Buffer | Uint8Array | RawImage,
  opts: DetectPersonsOptions = {},
): Promise<PersonResult> {
  const pm = await loadPersonModel(opts.model);
  const settings = countSettings(pm, opts);
  const found = await personCandidates(image, pm, settings);
  const counted = countPersons(found.candidates, found, settings, found.crowd);
  const detections = counted.persons
    .slice(0, opts.maxDetections ?? MAX_PERSON_DETECTIONS)
    .map((c) => ({ box: toBox(c), score: round3(c.score) }));
  return {
    count: counted.count,
    ...(counted.inRegion !== undefined ? { inRegion: counted.inRegion } : {}),
    detections,
    model: pm.engine.id,
    licence: pm.engine.licence,
    threshold: counted.threshold,
    ms: found.ms,
    width: found.width,
    height: found.height,
  };
}

/** The model's defaults with the caller's settings on top. */
function countSettings(pm: PersonModel, o: DetectPersonsOptions): CountSettings {
  const s: CountSettings = { ...pm.defaults };
  for (const k of ['minScore', 'crowdMinScore', 'crowdFrom', 'crowdScale', 'iou', 'ignoreTopEdge', 'minArea', 'maxArea', 'minAspect', 'maxAspect', 'masks', 'countRegion'] as const) {
    if (o[k] !== undefined) (s as unknown as Record<string, unknown>)[k] = o[k];
  }
  return s;
}

/** How personCandidates tiles: as the model says (crowds only), always, or never (benchmarks). */
export type Tiling = 'crowd' | 'always' | 'never';

/**
 * Every person candidate scoring ≥ the settings' lowest threshold, before the counting rules, in the
 * caller's pixel grid (where a camera's polygons and areas are; the image may have been decoded smaller).
 * `crowd` says whether the whole-image pass showed a crowd. Benchmarks and calibration use it to apply many
 * settings to one detection pass.
 */
export async function personCandidates(
  image: Buffer | Uint8Array | RawImage,
  pm: PersonModel,
  settings: CountSettings,
  tiling: Tiling = 'crowd',
): Promise<{ candidates: TiledCandidate[]; crowd: boolean; tiled: boolean; width: number; height: number; ms: number; wholeMs: number }> {
  const t0 = performance.now();
  const img = await toRgb(image, pm.engine.maxSide);
  const floor = lowestThreshold(settings);
  const whole = await pm.engine.detect(img, floor);
  const candidates: TiledCandidate[] = toSource(whole, img, 0);
  const wholeMs = performance.now() - t0;
  const crowd = isCrowd(candidates, settings);
  // An engine with a per-pass cap that came near it: a crowd larger than the cap; tile so nobody is cut.
  const capped = pm.engine.topK !== undefined && whole.length >= pm.engine.topK * 0.9;
  const tiled = tiling === 'always' || (tiling === 'crowd' && (pm.alwaysTile || (crowd && pm.crowdTiles !== undefined) || capped));
  if (tiled) {
    const grid = capped ? { rows: 3, cols: 3, overlap: 0.15 } : (pm.crowdTiles ?? { rows: 2, cols: 2, overlap: 0.2 });
    // Tiles at up to the engine's own size each: a larger source is decoded again, bigger (crowds only).
    const side = pm.engine.maxSide * Math.max(grid.rows, grid.cols);
    const big = Math.max(img.sourceWidth, img.sourceHeight) > Math.max(img.width, img.height) ? await toRgb(image, side) : img;
    for (const c of await detectTiles(pm.engine, big, floor, grid)) candidates.push(...toSource([c], big, c.tile!));
  }
  const ms = performance.now() - t0;
  return { candidates, crowd, tiled, width: img.sourceWidth, height: img.sourceHeight, ms, wholeMs };
}

/**
 * One image's candidates for fitting counting settings (persons/calibrate.ts): the whole-image pass at the
 * fitting floor, and, when the model tiles crowds, the tiled candidates too (the fit decides per setting
 * which one the product would use).
 */
export async function candidatesForFitting(image: Buffer | Uint8Array | RawImage, pm: PersonModel): Promise<Omit<Labelled, 'truth'> & { ms: number; tiledMs?: number }> {
  const floor: CountSettings = { minScore: FIT_FLOOR, iou: 0.5, ignoreTopEdge: false };
  // One pass when the model tiles crowds too: its tile-0 candidates are the whole-image pass.
  const r = await personCandidates(image, pm, floor, pm.crowdTiles ? 'always' : 'never');
  const whole = pm.crowdTiles ? r.candidates.filter((c) => c.tile === 0) : r.candidates;
  return { width: r.width, height: r.height, candidates: whole, ms: r.wholeMs, ...(pm.crowdTiles ? { tiled: r.candidates, tiledMs: r.ms } : {}) };
}

/** Candidates of a decoded image → the caller's pixel grid (where a camera's polygons and areas are). */
function toSource(cs: readonly Candidate[], img: DecodedImage, tile: number): TiledCandidate[] {
  const sx = img.sourceWidth / img.width;
  const sy = img.sourceHeight / img.height;
  return cs.map((c) => ({
    x1: clamp(c.x1 * sx, img.sourceWidth),
    y1: clamp(c.y1 * sy, img.sourceHeight),
    x2: clamp(c.x2 * sx, img.sourceWidth),
    y2: clamp(c.y2 * sy, img.sourceHeight),
    score: c.score,
    tile,
  }));
}


/**
 * Detects persons in one raw RGB frame (e.g. `ffmpeg -f rawvideo -pix_fmt rgb24`), no re-encoding.
 * `data` must be exactly width × height × 3 bytes.
 */
export function detectPersonsRgb(
  data: Uint8Array,
  width: number,
  height: number,
  opts?: DetectPersonsOptions,
): Promise<PersonResult> {
  return detectPersons({ data, width, height, channels: 3 }, opts);
}

// ---------------------------------------------------------------------------------------------------------

export interface FaceDetection {
  box: Box;
  /** blazeface detector confidence, 0..1. */
  score: number;
  /** L2-normalised faceres descriptor (FACE_EMBEDDING_DIM floats): cosine similarity = dot product. */
  embedding: number[];
}

export interface FaceResult {
  faces: FaceDetection[];
  /** Model id, e.g. `human-faceres@3.3.6`: only embeddings with the same id are comparable. */
  model: string;
  /** Decode + inference ms, as for PersonResult. */
  ms: number;
  width: number;
  height: number;
}

export interface DetectFacesOptions {
  /** Minimum confidence, applied to blazeface and to facemesh's re-score of each candidate. */
  minScore?: number;
  maxFaces?: number;
  /**
   * Re-check each blazeface candidate with facemesh (default true). Off: profile/half-turned faces are kept
   * too, together with blazeface's false positives (hands, blurred crowd); measured in faces.test.ts.
   */
  verify?: boolean;
}

export const FACE_EMBEDDING_DIM = 1024;

/** Finds faces and computes an embedding for each; for similarity search. */
export async function detectFaces(
  image: Buffer | Uint8Array | RawImage,
  opts: DetectFacesOptions = {},
): Promise<FaceResult> {
  const minScore = opts.minScore ?? FACE_DEFAULTS.minScore;
  const maxFaces = opts.maxFaces ?? FACE_DEFAULTS.maxFaces;
  const [models, { img, decodeMs }] = await Promise.all([loadFaceModels(), decode(image, FACE_MAX_SIDE)]);
  const t0 = performance.now();
  const { tf, human } = models.runtime;

  const result = await exclusive(async () => {
    const pixels = tf.tensor4d(img.rgb, [1, img.height, img.width, 3], 'int32') as Tensor4D;
    try {
      // The full config every call: human merges detect() configs into its instance permanently.
      return await human.detect(pixels, faceDetectConfig(minScore, maxFaces, opts.verify ?? true));
    } finally {
      pixels.dispose();
    }
  });
  if (result.error) throw new Error(`vision: face detection failed: ${result.error}`);

  const sx = img.sourceWidth / img.width;
  const sy = img.sourceHeight / img.height;
  const faces: FaceDetection[] = [];
  for (const f of result.face) {
    if (!f.embedding || f.embedding.length !== FACE_EMBEDDING_DIM) continue; // faceres did not run
    const [x, y, w, h] = f.box;
    const x1 = clamp(x * sx, img.sourceWidth);
    const y1 = clamp(y * sy, img.sourceHeight);
    const x2 = clamp((x + w) * sx, img.sourceWidth);
    const y2 = clamp((y + h) * sy, img.sourceHeight);
    if (x2 - x1 < 1 || y2 - y1 < 1) continue;
    faces.push({
      box: toBox({ x1, y1, x2, y2 }),
      score: round3(f.boxScore || f.score),
      embedding: normalise(f.embedding),
    });
  }
  return {
    faces,
    model: models.id,
    ms: decodeMs + performance.now() - t0,
    width: img.sourceWidth,
    height: img.sourceHeight,
  };
}

/**
 * Cosine similarity in [-1, 1] (1 = same direction). Plain cosine, not human's `match.similarity`, which is a
 * rescaled Minkowski distance with fixed constants that saturates to 1.0 for unrelated faces of this model
 * (seen on the fixtures); cosine on L2-normalised vectors is also what vector indexes (inner product) compute.
 * Inputs need not be normalised; for detectFaces embeddings this equals their dot product.
 */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) {
    throw new RangeError(`similarity: embedding lengths differ or are empty (${a.length} vs ${b.length})`);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

// ---------------------------------------------------------------------------------------------------------

/** Decoding runs alongside the (memoised) model load, so a non-image fails fast even on a cold process. */
async function decode(image: Buffer | Uint8Array | RawImage, maxSide: number) {
  const t0 = performance.now();
  const img = await toRgb(image, maxSide);
  return { img, decodeMs: performance.now() - t0 };
}

interface Corners {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);

/** Integer pixel box that stays inside the image. */
function toBox(c: Corners): Box {
  const x = Math.floor(c.x1);
  const y = Math.floor(c.y1);
  return [x, y, Math.max(1, Math.ceil(c.x2) - x), Math.max(1, Math.ceil(c.y2) - y)];
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function normalise(v: ArrayLike<number>): number[] {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  return Array.from(v, (x) => x * inv);
}
