/**
 * Person and face detection on photos and raw video frames (see model.ts for how the models are loaded).
 *
 * Persons: CenterNet (COCO) on a 512×512 stretch of the image; we keep class "person" only and run our own
 * person-only NMS. The graph emits its top 100 detections over all classes, so 100 persons per image is a
 * hard ceiling (maxDetections is clamped to it).
 * Faces: blazeface → facemesh (verification + alignment) → faceres 1024-d descriptor, L2-normalised here.
 */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';
import { toRgb, type RawImage } from './image.js';
import {
  FACE_DEFAULTS,
  exclusive,
  faceDetectConfig,
  loadFaceModels,
  loadPersonModel,
} from './model.js';

export { NotAnImageError, type RawImage } from './image.js';

/** [x, y, width, height] in pixels of the input image (after EXIF orientation), clamped to the image. */
export type Box = [number, number, number, number];

export interface PersonDetection {
  box: Box;
  score: number;
}

export interface PersonResult {
  count: number;
  detections: PersonDetection[];
  /** Model id, e.g. `human-centernet@3.3.6`: store it with the result. */
  model: string;
  /** Decode + inference ms (excludes the one-off model load; includes waiting behind concurrent calls). */
  ms: number;
  width: number;
  height: number;
}

export interface DetectPersonsOptions {
  /** Minimum person score, 0..1. */
  minScore?: number;
  /** At most this many persons (1..100; the graph's own top-K is 100). */
  maxDetections?: number;
  /** Person boxes overlapping more than this (IoU) with a higher-scoring one are dropped. */
  iouThreshold?: number;
}

/** The graph's fixed top-K over all classes. */
export const MAX_PERSON_DETECTIONS = 100;

/**
 * minScore 0.25, tuned on the fixtures (test/fixtures/people-counts.json: 6/2/2 found vs 7/2/2 by hand).
 * CenterNet scores small, blurred or greyscale people low: the second player in the greyscale basketball
 * frames scores 0.31 and pitch-side people in messi5 0.22–0.34, so 0.5 would count 1 of 2 players, while at
 * 0.2 blurred stand spectators come in (messi5: 9). On CCTV-like frames (the pedestrian clip) people score
 * 0.5–0.7 and cones/rocks/signs 0.2–0.31, so video callers may prefer ~0.35.
 * iouThreshold 0.5: CenterNet's peak decoding seldom duplicates, and people in crowds overlap legitimately.
 */
export const PERSON_DEFAULTS = { minScore: 0.25, maxDetections: MAX_PERSON_DETECTIONS, iouThreshold: 0.5 } as const;

/** Longest side fed to the person model; it sees 512×512, a little more keeps the resize anti-aliased. */
const PERSON_MAX_SIDE = 1024;
/** Longest side for faces: blazeface sees 256×256 but the embedding crop is cut from this resolution. */
const FACE_MAX_SIDE = 1600;

const COCO_PERSON = 0;

/** Detects persons in an encoded image (JPEG, PNG, WebP, …) or a raw RGB(A) frame. */
export async function detectPersons(
  image: Buffer | Uint8Array | RawImage,
  opts: DetectPersonsOptions = {},
): Promise<PersonResult> {
  const minScore = opts.minScore ?? PERSON_DEFAULTS.minScore;
  const maxDetections = Math.min(opts.maxDetections ?? PERSON_DEFAULTS.maxDetections, MAX_PERSON_DETECTIONS);
  const iouThreshold = opts.iouThreshold ?? PERSON_DEFAULTS.iouThreshold;
  const [model, { img, decodeMs }] = await Promise.all([loadPersonModel(), decode(image, PERSON_MAX_SIDE)]);
  const t0 = performance.now();
  const { tf } = model.runtime;
  const S = model.inputSize;

  const rows = await exclusive(async () => {
    const out = tf.tidy(() => {
      const pixels = tf.tensor4d(img.rgb, [1, img.height, img.width, 3], 'int32');
      // Stretch (not letterbox) to the square input, exactly as human's own centernet wrapper does.
      const resized = tf.image.resizeBilinear(pixels, [S, S]);
      return model.graph.execute(resized, 'tower_0/detections') as Tensor;
    });
    try {
      return ((await out.array()) as number[][][])[0] ?? [];
    } finally {
      out.dispose();
    }
  });

  // Rows are [x1, y1, x2, y2, score, class] in input-square pixels.
  const sx = img.sourceWidth / S;
  const sy = img.sourceHeight / S;
  const candidates = rows
    .filter((r) => r[5] === COCO_PERSON && (r[4] ?? 0) >= minScore)
    .map((r) => ({
      score: r[4]!,
      x1: clamp(r[0]! * sx, img.sourceWidth),
      y1: clamp(r[1]! * sy, img.sourceHeight),
      x2: clamp(r[2]! * sx, img.sourceWidth),
      y2: clamp(r[3]! * sy, img.sourceHeight),
    }))
    .filter((b) => b.x2 - b.x1 >= 1 && b.y2 - b.y1 >= 1);
  const kept = nms(candidates, iouThreshold, maxDetections);

  const detections = kept.map((b) => ({ box: toBox(b), score: round3(b.score) }));
  return {
    count: detections.length,
    detections,
    model: model.id,
    ms: decodeMs + performance.now() - t0,
    width: img.sourceWidth,
    height: img.sourceHeight,
  };
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

function nms<T extends Corners & { score: number }>(boxes: T[], iouThreshold: number, max: number): T[] {
  const sorted = [...boxes].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const b of sorted) {
    if (kept.length >= max) break;
    if (kept.every((k) => iou(k, b) <= iouThreshold)) kept.push(b);
  }
  return kept;
}

function iou(a: Corners, b: Corners): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
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
