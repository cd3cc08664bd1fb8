/**
 * YOLO-format ONNX person detector on onnxruntime-node (CPU): any Ultralytics-style export — v5
 * (`[1, N, 5 + classes]`), v8/v11 (`[1, 4 + classes, N]`) — works through this one adapter.
 *
 * Free-size input: a v8/v11 export with a fixed input (e.g. 640×640) decodes its boxes against anchors baked
 * in for that size. When the graph has the standard Detect head (per-stride Concat → Reshape → Concat), we cut
 * it just before that fixed decode, make the input's H and W symbolic and decode the per-stride outputs
 * ourselves (DFL + sigmoid). The image can then be fed at its own aspect and a larger size (1024 px sees
 * small, distant people that 640 misses) in one pass and with no ceiling on the number of boxes. Graphs
 * without that head (v5, or hand-made) run at their own fixed size with letterboxing; tiles.ts tiles them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import onnxProto from 'onnx-proto';
import type { InferenceSession as Session, Tensor as OrtTensor } from 'onnxruntime-node';
import type { DecodedImage } from '../image.js';
import type { Candidate, PersonEngine } from './types.js';

const { onnx } = onnxProto;

export interface YoloOptions {
  /** Model id to store with results; default `<file name>@onnx`. */
  id?: string;
  /** Licence of the weights; default the file's `license` metadata (Ultralytics writes it), else `unknown`. */
  licence?: string;
  /** Longest side fed to a free-size graph (multiple of the stride). Fixed graphs use their own size. */
  inputSide?: number;
  /** onnxruntime intra-op threads (default 2: the 2 vCPUs of the machines and of a 3.5 GB Lambda). */
  threads?: number;
}

type Layout =
  | { kind: 'free'; regMax: number; classes: number }
  | { kind: 'v8'; classes: number } // [1, 4 + nc, N], boxes decoded, scores sigmoid'ed
  | { kind: 'v5'; classes: number }; // [1, N, 5 + nc], objectness × class score

/** Loads a YOLO ONNX file. `onnxruntime-node` is imported here only, so other engines never load it. */
export async function loadYolo(file: string, o: YoloOptions = {}): Promise<PersonEngine & { layout: Layout['kind']; inputSize: [number, number] | 'free' }> {
  const t0 = performance.now();
  const ort = await import('onnxruntime-node');
  const bytes = await readFile(file);
  const model = onnx.ModelProto.decode(bytes);
  const meta = Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
  const names = parseNames(meta.names);
  const personClass = names ? Math.max(0, names.indexOf('person')) : 0;
  const stride = Number(meta.stride) || 32;
  const input = model.graph!.input![0]!;
  const dims = input.type!.tensorType!.shape!.dim!.map((d) => (d.dimValue != null ? Number(d.dimValue) : -1));
  const fixed: [number, number] | undefined = dims[2]! > 0 && dims[3]! > 0 ? [dims[2]!, dims[3]!] : undefined;

  const heads = findDetectHeads(model.graph!);
  let session: Session;
  let layout: Layout;
  if (heads) {
    cutBeforeDecode(model.graph!, heads);
    session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), sessionOptions(o));
    layout = { kind: 'free', regMax: 16, classes: names?.length ?? 80 };
  } else {
    session = await ort.InferenceSession.create(bytes, sessionOptions(o));
    const out = session.outputMetadata[0] as { shape?: (number | string)[] } | undefined;
    const shape = (out?.shape ?? []).map((d) => (typeof d === 'number' ? d : -1));
    const nc = names?.length;
    if (nc && shape[2] === 5 + nc) layout = { kind: 'v5', classes: nc };
    else if (nc && shape[1] === 4 + nc) layout = { kind: 'v8', classes: nc };
    else if (shape[1]! > 0 && shape[2]! > shape[1]!) layout = { kind: 'v8', classes: shape[1]! - 4 };
    else layout = { kind: 'v5', classes: Math.max(1, (shape[2] ?? 85) - 5) };
  }
  const inputName = session.inputNames[0]!;
  const side = roundTo(o.inputSide ?? 1024, stride);
  const id = o.id ?? `${path.basename(file, '.onnx')}@onnx`;
  const licence = o.licence ?? licenceOf(meta.license);

  async function run(chw: Float32Array, h: number, w: number) {
    const feeds = { [inputName]: new ort.Tensor('float32', chw, [1, 3, h, w]) };
    return session.run(feeds);
  }

  return {
    id,
    licence,
    layout: layout.kind,
    inputSize: layout.kind === 'free' ? 'free' : (fixed ?? [640, 640]),
    maxSide: layout.kind === 'free' ? side : Math.max(...(fixed ?? [640, 640])),
    loadMs: performance.now() - t0,
    async detect(img: DecodedImage, floor: number): Promise<Candidate[]> {
      if (layout.kind === 'free') {
        // Own aspect, longest side = `side` (up- or down-scaled), each side a multiple of the stride.
        const k = side / Math.max(img.width, img.height);
        const w = Math.max(stride, roundTo(img.width * k, stride));
        const h = Math.max(stride, roundTo(img.height * k, stride));
        const chw = await toChw(img, w, h);
        const out = await run(chw, h, w);
        const boxes: Candidate[] = [];
        for (const name of session.outputNames) {
          decodeFreeHead(out[name]!, h, personClass, layout, floor, img.width / w, img.height / h, boxes);
        }
        return boxes;
      }
      const [H, W] = fixed ?? [640, 640];
      const { chw, scale, padX, padY } = await letterbox(img, W, H);
      const out = (await run(chw, H, W))[session.outputNames[0]!]!;
      return decodeFull(out, layout, personClass, floor, (x, y) => [(x - padX) / scale, (y - padY) / scale]);
    },
  };
}

function sessionOptions(o: YoloOptions): Session.SessionOptions {
  return {
    intraOpNumThreads: o.threads ?? 2,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

const roundTo = (v: number, m: number) => Math.max(m, Math.round(v / m) * m);

function parseNames(s: string | undefined): string[] | undefined {
  if (!s) return undefined;
  // Ultralytics writes a Python dict literal: {0: 'person', 1: 'bicycle', ...}
  const out: string[] = [];
  for (const m of s.matchAll(/(\d+)\s*:\s*['"]([^'"]*)['"]/g)) out[Number(m[1])] = m[2]!;
  return out.length ? out : undefined;
}

function licenceOf(s: string | undefined): string {
  if (!s) return 'unknown';
  const m = /\b(AGPL-3\.0|GPL-3\.0|Apache-2\.0|MIT|BSD-3-Clause)\b/i.exec(s);
  return m ? m[1]! : s.split(/\s/)[0]!;
}

// ---------------------------------------------------------------------------------------------------------
// Graph surgery (protobuf level, before the session is created)

type Graph = onnxProto.onnx.IGraphProto;
type Node = onnxProto.onnx.INodeProto;

/**
 * The per-stride head outputs of a v8/v11 Detect layer: the tensors that a final Concat gathers through one
 * Reshape each (`/model.22/Concat{,_1,_2}` in v8). Undefined when the graph has no such pattern.
 */
function findDetectHeads(g: Graph): string[] | undefined {
  const nodes = g.node ?? [];
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  for (const n of nodes) {
    const inputs = n.input ?? [];
    if (n.opType !== 'Concat' || inputs.length < 2) continue;
    const reshapes = inputs.map((i) => producer.get(i));
    if (!reshapes.every((r) => r?.opType === 'Reshape' && producer.get(r.input?.[0] ?? '')?.opType === 'Concat')) continue;
    return reshapes.map((r) => r!.input![0]!);
  }
  return undefined;
}

/** Makes `heads` the graph's outputs, drops what no longer feeds them, and frees the input's H and W. */
function cutBeforeDecode(g: Graph, heads: string[]): void {
  const nodes = g.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => producer.set(o, i)));
  const keep = new Set<number>();
  const stack = [...heads];
  while (stack.length) {
    const i = producer.get(stack.pop()!);
    if (i === undefined || keep.has(i)) continue;
    keep.add(i);
    stack.push(...(nodes[i]!.input ?? []).filter(Boolean));
  }
  g.node = nodes.filter((_, i) => keep.has(i));
  const used = new Set(g.node.flatMap((n) => n.input ?? []));
  g.initializer = (g.initializer ?? []).filter((t) => used.has(t.name ?? ''));
  g.valueInfo = []; // shapes inferred for the fixed size would contradict the free one
  g.output = heads.map((name) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
  const dim = g.input![0]!.type!.tensorType!.shape!.dim!;
  dim[2] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'height' });
  dim[3] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'width' });
}

// ---------------------------------------------------------------------------------------------------------
// Pre- and post-processing

/** RGB uint8 HWC → float32 CHW in [0, 1], resized (stretched) to w × h. */
async function toChw(img: DecodedImage, w: number, h: number): Promise<Float32Array> {
  const rgb =
    img.width === w && img.height === h
      ? img.rgb
      : new Uint8Array(
          await sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } })
            .resize(w, h, { fit: 'fill' })
            .raw()
            .toBuffer(),
        );
  return hwcToChw(rgb, w * h);
}

function hwcToChw(rgb: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(3 * n);
  const inv = 1 / 255;
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = rgb[j]! * inv;
    out[n + i] = rgb[j + 1]! * inv;
    out[2 * n + i] = rgb[j + 2]! * inv;
  }
  return out;
}

/** Letterbox into W × H (grey 114 padding, centred), as Ultralytics does for fixed-size graphs. */
async function letterbox(img: DecodedImage, W: number, H: number) {
  const scale = Math.min(W / img.width, H / img.height);
  const w = Math.round(img.width * scale);
  const h = Math.round(img.height * scale);
  const padX = Math.floor((W - w) / 2);
  const padY = Math.floor((H - h) / 2);
  const rgb = await sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(w, h, { fit: 'fill' })
    .extend({ left: padX, right: W - w - padX, top: padY, bottom: H - h - padY, background: { r: 114, g: 114, b: 114 } })
    .raw()
    .toBuffer();
  return { chw: hwcToChw(new Uint8Array(rgb), W * H), scale, padX, padY };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** One stride's raw head output [1, 4·regMax + nc, h, w] → person boxes (DFL expectation per side). */
function decodeFreeHead(
  t: OrtTensor,
  inputH: number,
  cls: number,
  layout: { regMax: number },
  floor: number,
  sx: number,
  sy: number,
  out: Candidate[],
): void {
  const [, , gh, gw] = t.dims as number[];
  const data = t.data as Float32Array;
  const hw = gh! * gw!;
  const stride = inputH / gh!;
  const R = layout.regMax;
  const clsBase = 4 * R + cls;
  // sigmoid(logit) ≥ floor ⇔ logit ≥ logit(floor): skip the exp for the vast majority of cells.
  const minLogit = Math.log(floor / (1 - floor));
  const dist = [0, 0, 0, 0];
  for (let i = 0; i < hw; i++) {
    const logit = data[clsBase * hw + i]!;
    if (logit < minLogit) continue;
    for (let k = 0; k < 4; k++) {
      let max = -Infinity;
      for (let j = 0; j < R; j++) max = Math.max(max, data[(k * R + j) * hw + i]!);
      let sum = 0;
      let acc = 0;
      for (let j = 0; j < R; j++) {
        const e = Math.exp(data[(k * R + j) * hw + i]! - max);
        sum += e;
        acc += e * j;
      }
      dist[k] = acc / sum;
    }
    const cx = (i % gw!) + 0.5;
    const cy = Math.floor(i / gw!) + 0.5;
    out.push({
      x1: (cx - dist[0]!) * stride * sx,
      y1: (cy - dist[1]!) * stride * sy,
      x2: (cx + dist[2]!) * stride * sx,
      y2: (cy + dist[3]!) * stride * sy,
      score: sigmoid(logit),
    });
  }
}

/** A full graph's decoded output (v8: [1, 4 + nc, N]; v5: [1, N, 5 + nc]) → person boxes. */
function decodeFull(
  t: OrtTensor,
  layout: Layout,
  cls: number,
  floor: number,
  back: (x: number, y: number) => [number, number],
): Candidate[] {
  const data = t.data as Float32Array;
  const dims = t.dims as number[];
  const out: Candidate[] = [];
  const push = (cx: number, cy: number, w: number, h: number, score: number) => {
    const [x1, y1] = back(cx - w / 2, cy - h / 2);
    const [x2, y2] = back(cx + w / 2, cy + h / 2);
    out.push({ x1, y1, x2, y2, score });
  };
  if (layout.kind === 'v8') {
    const n = dims[2]!;
    for (let i = 0; i < n; i++) {
      const s = data[(4 + cls) * n + i]!;
      if (s >= floor) push(data[i]!, data[n + i]!, data[2 * n + i]!, data[3 * n + i]!, s);
    }
  } else {
    const n = dims[1]!;
    const c = dims[2]!;
    for (let i = 0; i < n; i++) {
      const r = i * c;
      const s = data[r + 4]! * data[r + 5 + cls]!;
      if (s >= floor) push(data[r]!, data[r + 1]!, data[r + 2]!, data[r + 3]!, s);
    }
  }
  return out;
}
