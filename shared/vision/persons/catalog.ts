/**
 * The bundled person models' names and counting defaults, and the PERSON_MODEL* choice, without their
 * engines: what zip functions (e.g. the camera detector endpoints) may import. Loading a model is
 * engines.ts' (dynamic imports of TensorFlow.js / onnxruntime / sharp, container image only; the zip
 * bundles' native guard, infra/build/native-guard.cjs, fails a zip function that reaches it).
 */
import type { CountSettings } from './counting.js';
import type { TileGrid } from './tiles.js';

export const BUNDLED_MODELS = ['coco-ssd', 'centernet', 'yolov8n'] as const;
export type BundledModel = (typeof BUNDLED_MODELS)[number];
/** The default: the most accurate model whose weights are permissively licensed (docs/vision.md). */
export const DEFAULT_PERSON_MODEL: BundledModel = 'coco-ssd';

/** Counting defaults per bundled model (fitted by the accuracy bench on the development set). */
export const MODEL_DEFAULTS: Record<BundledModel, { count: CountSettings; crowdTiles?: TileGrid }> = {
  'coco-ssd': {
    count: { minScore: 0.2, crowdMinScore: 0.15, crowdFrom: 15, crowdScale: 1, iou: 0.45, ignoreTopEdge: true, minAspect: 0.5 },
    crowdTiles: { rows: 2, cols: 2, overlap: 0.2 },
  },
  centernet: { count: { minScore: 0.3, crowdMinScore: 0.15, crowdFrom: 10, crowdScale: 1.1, iou: 0.6, ignoreTopEdge: true } },
  yolov8n: {
    count: { minScore: 0.25, crowdMinScore: 0.1, crowdFrom: 10, crowdScale: 1, iou: 0.45, ignoreTopEdge: true },
    crowdTiles: { rows: 2, cols: 2, overlap: 0.2 },
  },
};

export interface PersonModelChoice {
  /** Bundled name or .onnx path; default env PERSON_MODEL, else DEFAULT_PERSON_MODEL. */
  model?: string;
  licence?: string;
  /** Longest side for free-size ONNX graphs (PERSON_MODEL_INPUT, default 1024). */
  inputSide?: number;
  /**
   * Crowd tiles, e.g. `2x2`; `always:3x3` tiles every image; `none` never tiles (PERSON_MODEL_TILES; default:
   * the model's own).
   */
  tiles?: string;
}

/** `RxC` or `always:RxC` → a grid with 20 % overlap. */
export function parseTiles(s: string): { grid: TileGrid; always: boolean } {
  const m = /^(always:)?([1-6])x([1-6])$/.exec(s);
  if (!m) throw new Error(`vision: tiles must look like 2x2 or always:3x3 (1–6 each), not "${s}"`);
  return { grid: { rows: Number(m[2]), cols: Number(m[3]), overlap: 0.2 }, always: Boolean(m[1]) };
}

export function chosenModel(env: NodeJS.ProcessEnv = process.env): Required<Pick<PersonModelChoice, 'model'>> & PersonModelChoice {
  return {
    model: env.PERSON_MODEL || DEFAULT_PERSON_MODEL,
    ...(env.PERSON_MODEL_LICENCE ? { licence: env.PERSON_MODEL_LICENCE } : {}),
    ...(env.PERSON_MODEL_INPUT ? { inputSide: Number(env.PERSON_MODEL_INPUT) } : {}),
    ...(env.PERSON_MODEL_TILES ? { tiles: env.PERSON_MODEL_TILES } : {}),
  };
}
