/**
 * Which person model runs: `PERSON_MODEL` names a bundled model (`coco-ssd`, `centernet`, `yolov8n`) or is
 * the path of any YOLO-format ONNX file (v5/v8/v11; `PERSON_MODEL_LICENCE` names its licence when the file
 * does not). Each bundled model carries the counting defaults fitted for it by `npm run bench -- accuracy`
 * (cross-validated figures in docs/vision.md); a camera's calibration overrides them.
 * Loaded once per process (memoised; a failed load is retried by the next call).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CountSettings } from './counting.js';
import type { TileGrid } from './tiles.js';
import type { PersonEngine } from './types.js';
import { BUNDLED_MODELS, DEFAULT_PERSON_MODEL, MODEL_DEFAULTS, chosenModel, parseTiles, type BundledModel, type PersonModelChoice } from './catalog.js';

// Names, defaults and the environment's choice live in catalog.ts (no engine code: zip functions import it).
export { BUNDLED_MODELS, DEFAULT_PERSON_MODEL, MODEL_DEFAULTS, chosenModel, parseTiles, type BundledModel, type PersonModelChoice };

export interface PersonModel {
  engine: PersonEngine;
  /** Counting defaults for this model. */
  defaults: CountSettings;
  /**
   * Tiles run besides the whole image when that pass shows a crowd (≥ crowdFrom persons at minScore). An
   * engine whose pass comes near its own cap is tiled 3×3 whatever this says, so counts have no ceiling.
   */
  crowdTiles?: TileGrid;
  /** Tile every image, not only crowds (large photos of distant crowds, where the whole pass sees nobody). */
  alwaysTile?: boolean;
}

/** The checkout this file runs from (as TypeScript from shared/, or compiled from dist/shared/). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'infra', 'models', 'models.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Where fetched model files live: PERSON_MODELS_DIR (container image), else `<repo>/models`. */
export function personModelsDir(): string {
  return path.resolve(process.env.PERSON_MODELS_DIR ?? path.join(repoRoot(), 'models'));
}

/** Defaults for an ONNX file of the user's: those fitted for yolov8n (same family and output scale). */
const ONNX_DEFAULTS = MODEL_DEFAULTS.yolov8n;

async function load(c: PersonModelChoice & { model: string }): Promise<PersonModel> {
  const pm = await loadEngine(c);
  if (c.tiles === 'none') return { engine: pm.engine, defaults: pm.defaults };
  if (!c.tiles) return pm;
  const t = parseTiles(c.tiles);
  return { ...pm, crowdTiles: t.grid, ...(t.always ? { alwaysTile: true } : {}) };
}

async function loadEngine(c: PersonModelChoice & { model: string }): Promise<PersonModel> {
  const dir = personModelsDir();
  const missing = (f: string) => new Error(`vision: ${f} is missing — run \`node infra/models/fetch.mjs\` (npm install does) or set PERSON_MODELS_DIR`);
  switch (c.model) {
    case 'centernet': {
      const { loadCenterNet } = await import('./tfjs.js');
      return { engine: await loadCenterNet(), defaults: MODEL_DEFAULTS.centernet.count, ...tilesOf('centernet') };
    }
    case 'coco-ssd': {
      const d = path.join(dir, 'coco-ssd');
      if (!existsSync(path.join(d, 'model.json'))) throw missing(path.join(d, 'model.json'));
      const { loadCocoSsd } = await import('./tfjs.js');
      return { engine: await loadCocoSsd(d, 'coco-ssd-mobilenetv2@tfjs'), defaults: MODEL_DEFAULTS['coco-ssd'].count, ...tilesOf('coco-ssd') };
    }
    case 'yolov8n': {
      const f = path.join(dir, 'yolov8n', 'yolov8n.onnx');
      if (!existsSync(f)) throw missing(f);
      const { loadYolo } = await import('./yolo.js');
      const engine = await loadYolo(f, { id: 'yolov8n@ultralytics-8.0.175', inputSide: c.inputSide, ...(c.licence ? { licence: c.licence } : {}) });
      return { engine, defaults: MODEL_DEFAULTS.yolov8n.count, ...tilesOf('yolov8n') };
    }
    default: {
      if (!c.model.endsWith('.onnx')) throw new Error(`vision: PERSON_MODEL must be one of ${BUNDLED_MODELS.join(', ')} or a path to a .onnx file, not "${c.model}"`);
      const f = path.resolve(c.model);
      if (!existsSync(f)) throw new Error(`vision: PERSON_MODEL file ${f} does not exist`);
      const { loadYolo } = await import('./yolo.js');
      const engine = await loadYolo(f, { inputSide: c.inputSide, ...(c.licence ? { licence: c.licence } : {}) });
      return { engine, defaults: ONNX_DEFAULTS.count };
    }
  }
}

const tilesOf = (m: BundledModel) => (MODEL_DEFAULTS[m].crowdTiles ? { crowdTiles: MODEL_DEFAULTS[m].crowdTiles } : {});

const loaded = new Map<string, Promise<PersonModel>>();

/** The person model for `choice` (default: the environment's), loaded once per process. */
export function loadPersonModel(choice: PersonModelChoice = {}): Promise<PersonModel> {
  const c = { ...chosenModel(), ...choice };
  const key = JSON.stringify(c);
  let p = loaded.get(key);
  if (!p) {
    p = load(c).catch((err: unknown) => {
      loaded.delete(key);
      throw err;
    });
    loaded.set(key, p);
  }
  return p;
}
