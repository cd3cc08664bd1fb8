import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FACE_MODEL_ID,
  HUMAN_VERSION,
  PERSON_MODEL_FILE,
  getVisionRuntime,
  modelsDir,
  wasmDir,
} from '../../../shared/vision/model.js';

describe('vision model loader', () => {
  const saved = process.env.MODELS_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.MODELS_DIR;
    else process.env.MODELS_DIR = saved;
  });

  it('finds the models and wasm binaries on disk, MODELS_DIR overriding the package copy', () => {
    delete process.env.MODELS_DIR;
    expect(existsSync(path.join(modelsDir(), PERSON_MODEL_FILE))).toBe(true);
    expect(existsSync(path.join(wasmDir(), 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
    process.env.MODELS_DIR = '/opt/models';
    expect(modelsDir()).toBe('/opt/models');
  });

  it('names models after the human version', () => {
    expect(HUMAN_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(FACE_MODEL_ID).toBe(`human-faceres@${HUMAN_VERSION}`);
  });

  it('starts the WASM backend once, with SIMD, leaving no global traces', async () => {
    const listeners = () => [
      ...process.listeners('uncaughtException'),
      ...process.listeners('unhandledRejection'),
    ];
    const before = listeners();
    const nodeVersion = process.versions.node;
    const [a, b] = await Promise.all([getVisionRuntime(), getVisionRuntime()]);
    expect(a).toBe(b);
    expect(a.tf.getBackend()).toBe('wasm');
    expect(a.wasm).toMatchObject({ simd: true, threads: false });
    // The shims are undone: emscripten's re-throwing handlers removed, process.versions and __dirname back.
    expect(listeners()).toEqual(before);
    expect(process.versions.node).toBe(nodeVersion);
    expect('__dirname' in globalThis).toBe(false);
  });
});
