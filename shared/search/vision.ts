/**
 * The search capability's view of the project's one model loader (shared/vision): face boxes + 1024-d
 * faceres embeddings. Only image-packaged functions import this (zip functions lack the model files).
 */
import { FACE_EMBEDDING_DIM, NotAnImageError, detectFaces } from '../vision/detect.js';
import { FACE_MODEL_ID, loadFaceModels } from '../vision/model.js';
import { MAX_INDEXED_FACES } from './records.js';
import { ImageProblem, type ExtractedFaces } from './pipeline.js';

export const MODEL_ID = FACE_MODEL_ID;
export const DIMENSION = FACE_EMBEDDING_DIM;

let loaded: { ok: boolean; ms?: number; error?: string } = { ok: false };
let warming: Promise<void> | undefined;

/** Starts loading the model (once per container); never rejects. */
export function warmModel(): Promise<void> {
  const t0 = performance.now();
  warming ??= loadFaceModels().then(
    (m) => void (loaded = { ok: true, ms: m.loadMs ?? performance.now() - t0 }),
    (err: unknown) => {
      loaded = { ok: false, error: (err as Error).message };
      warming = undefined; // let a later call try again
    },
  );
  return warming;
}

export const modelState = () => ({ id: MODEL_ID, dimension: DIMENSION, loaded: loaded.ok, ...(loaded.ms !== undefined ? { loadMs: Math.round(loaded.ms) } : {}), ...(loaded.error ? { error: loaded.error } : {}) });

/** Faces + embeddings; undecodable bytes become ImageProblem('not_an_image: …'). */
export async function extractFaces(bytes: Uint8Array, maxFaces = MAX_INDEXED_FACES): Promise<ExtractedFaces & { model: string }> {
  try {
    const r = await detectFaces(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { maxFaces });
    loaded = { ...loaded, ok: true };
    return { faces: r.faces, width: r.width, height: r.height, ms: r.ms, model: r.model };
  } catch (err) {
    if (err instanceof NotAnImageError) throw new ImageProblem(`not_an_image: ${err.message}`);
    throw err;
  }
}
