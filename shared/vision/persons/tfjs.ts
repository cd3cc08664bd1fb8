/**
 * TensorFlow.js graph person detectors on the WASM backend of the shared vision runtime (model.ts):
 * - CenterNet (COCO), human-models' `centernet.json`: a 512×512 stretch, the graph's own top 100 over all
 *   classes (so at most 100 persons a pass: tiles.ts tiles it for crowds);
 * - SSD MobileNetV2 (COCO), the TensorFlow.js coco-ssd graph: any input size (resized to 300×300 inside),
 *   raw scores for all 1917 anchors, so no cap.
 * Both return person candidates before NMS (counting.ts runs one person-only NMS for every engine).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { DecodedImage } from '../image.js';
import { exclusive, getVisionRuntime, HUMAN_VERSION, modelsDir, PERSON_MODEL_FILE } from '../model.js';
import type { Candidate, PersonEngine } from './types.js';

const COCO_PERSON = 0;

export async function loadCenterNet(): Promise<PersonEngine> {
  const runtime = await getVisionRuntime();
  const t0 = performance.now();
  const { tf } = runtime;
  // Loaded directly rather than through human's object module: we need person-only decoding (human runs
  // class-agnostic NMS, where e.g. a "remote" box can suppress the person holding it).
  const graph = await tf.loadGraphModel(pathToFileURL(path.join(modelsDir(), PERSON_MODEL_FILE)).href);
  const declared = graph.inputs[0]?.shape?.[1] ?? 512;
  const S = declared > 0 ? declared : 512;
  return {
    id: `human-centernet@${HUMAN_VERSION}`,
    licence: 'Apache-2.0',
    maxSide: 1024, // the model sees S×S; a little more keeps the resize anti-aliased
    topK: 100,
    loadMs: performance.now() - t0,
    async detect(img: DecodedImage, floor: number): Promise<Candidate[]> {
      const rows = await exclusive(async () => {
        const out = tf.tidy(() => {
          const pixels = tf.tensor4d(img.rgb, [1, img.height, img.width, 3], 'int32');
          // Stretch (not letterbox) to the square input, exactly as human's own centernet wrapper does.
          const resized = tf.image.resizeBilinear(pixels, [S, S]);
          return graph.execute(resized, 'tower_0/detections') as Tensor;
        });
        try {
          return ((await out.array()) as number[][][])[0] ?? [];
        } finally {
          out.dispose();
        }
      });
      // Rows are [x1, y1, x2, y2, score, class] in input-square pixels.
      const sx = img.width / S;
      const sy = img.height / S;
      return rows
        .filter((r) => r[5] === COCO_PERSON && (r[4] ?? 0) >= floor)
        .map((r) => ({ x1: r[0]! * sx, y1: r[1]! * sy, x2: r[2]! * sx, y2: r[3]! * sy, score: r[4]! }));
    },
  };
}

export async function loadCocoSsd(dir: string, id: string): Promise<PersonEngine> {
  const runtime = await getVisionRuntime();
  const t0 = performance.now();
  const { tf } = runtime;
  const graph = await tf.loadGraphModel(pathToFileURL(path.join(dir, 'model.json')).href);
  return {
    id,
    licence: 'Apache-2.0',
    maxSide: 640, // resized to 300×300 inside the graph
    loadMs: performance.now() - t0,
    async detect(img: DecodedImage, floor: number): Promise<Candidate[]> {
      const [scores, boxes, classes] = await exclusive(async () => {
        const input = tf.tensor4d(img.rgb, [1, img.height, img.width, 3], 'int32');
        // Control flow (TensorArray loops) in the graph needs executeAsync.
        const out = (await graph.executeAsync!(input)) as Tensor[];
        input.dispose();
        try {
          return [await out[0]!.data(), await out[1]!.data(), out[0]!.shape[2]!] as const;
        } finally {
          for (const t of out) t.dispose();
        }
      });
      // scores [1, N, 90] (sigmoid, class 0 = person); boxes [1, N, 1, 4] normalised [y1, x1, y2, x2].
      const n = scores.length / classes;
      const out: Candidate[] = [];
      for (let i = 0; i < n; i++) {
        const s = scores[i * classes + COCO_PERSON]!;
        if (s < floor) continue;
        out.push({
          y1: boxes[i * 4]! * img.height,
          x1: boxes[i * 4 + 1]! * img.width,
          y2: boxes[i * 4 + 2]! * img.height,
          x2: boxes[i * 4 + 3]! * img.width,
          score: s,
        });
      }
      return out;
    },
  };
}
