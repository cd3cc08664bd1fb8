import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { detectPersons, loadPersonModel } from '../../../shared/vision/detect.js';
import { personModelsDir } from '../../../shared/vision/persons/engines.js';
import { loadYolo } from '../../../shared/vision/persons/yolo.js';

const { onnx } = onnxProto;
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const YOLOV8N = path.join(personModelsDir(), 'yolov8n', 'yolov8n.onnx');
const COCO = `{${Array.from({ length: 80 }, (_, i) => `${i}: '${i === 0 ? 'person' : i === 2 ? 'car' : `c${i}`}'`).join(', ')}}`;

/**
 * A YOLOv5-layout model ([1, N, 5 + 80]) whose output is a constant: three rows — a person, a car, and a
 * person with low objectness — so the v5 decoding, class choice and letterbox mapping are checked exactly.
 */
function v5Model(): string {
  const rows = new Float32Array(3 * 85);
  const row = (i: number, cx: number, cy: number, w: number, h: number, obj: number, cls: number, p: number) => {
    rows.set([cx, cy, w, h, obj], i * 85);
    rows[i * 85 + 5 + cls] = p;
  };
  row(0, 32, 32, 20, 40, 0.9, 0, 0.9);
  row(1, 10, 10, 8, 8, 0.95, 2, 0.95);
  row(2, 50, 50, 10, 10, 0.1, 0, 0.9);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    metadataProps: [
      { key: 'names', value: COCO },
      { key: 'license', value: 'MIT' },
    ],
    graph: {
      name: 'v5-constant',
      input: [{ name: 'images', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, { dimValue: 64 }, { dimValue: 64 }] } } } }],
      initializer: [{ name: 'pred', dims: [1, 3, 85], dataType: 1, rawData: new Uint8Array(rows.buffer) }],
      // Mul by 0 + Add keeps the input in the graph (a session needs its declared input to be used).
      node: [
        { opType: 'ReduceMean', input: ['images'], output: ['m'], attribute: [{ name: 'keepdims', i: 0, type: 2 }] },
        { opType: 'Mul', input: ['m', 'zero'], output: ['z'] },
        { opType: 'Add', input: ['pred', 'z'], output: ['output0'] },
      ],
      output: [{ name: 'output0', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, { dimValue: 85 }] } } } }],
    },
  });
  model.graph!.initializer!.push(onnx.TensorProto.create({ name: 'zero', dims: [], dataType: 1, floatData: [0] }));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'panoptes-yolo-')), 'v5.onnx');
  writeFileSync(file, onnx.ModelProto.encode(model).finish());
  return file;
}

describe('YOLO ONNX adapter', () => {
  it('cuts a fixed-size v8 graph before its decode: free input size, licence from the file', async () => {
    const e = await loadYolo(YOLOV8N, { inputSide: 640 });
    expect(e.layout).toBe('free');
    expect(e.licence).toBe('AGPL-3.0');
    const img = await sharp(await readFile(path.join(FIXTURES, 'basketball1.png'))).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const boxes = await e.detect({ rgb: new Uint8Array(img.data), width: img.info.width, height: img.info.height, sourceWidth: img.info.width, sourceHeight: img.info.height }, 0.5);
    // The frontal player on the left, in the image's own pixels.
    expect(boxes.some((b) => b.x1 < 60 && b.x2 > 140 && b.x2 < 200 && b.y1 < 110 && b.y2 > 430)).toBe(true);
  });

  it('decodes a v5-layout file at its fixed size with letterboxing: person class only, objectness × class score', async () => {
    const e = await loadYolo(v5Model());
    expect(e).toMatchObject({ layout: 'v5', licence: 'MIT', inputSize: [64, 64] });
    // 128×128 → scale 0.5, no padding: the person row (32, 32, 20, 40) maps to x 44–84, y 24–104.
    const boxes = await e.detect({ rgb: new Uint8Array(128 * 128 * 3), width: 128, height: 128, sourceWidth: 128, sourceHeight: 128 }, 0.2);
    expect(boxes).toHaveLength(1);
    expect(boxes[0]!.score).toBeCloseTo(0.81, 5);
    expect([boxes[0]!.x1, boxes[0]!.y1, boxes[0]!.x2, boxes[0]!.y2]).toEqual([44, 24, 84, 104]);
  });

  it('any YOLO ONNX file works as PERSON_MODEL, with the licence the operator names', async () => {
    const file = v5Model();
    const pm = await loadPersonModel({ model: file, licence: 'Apache-2.0' });
    expect(pm.engine).toMatchObject({ id: 'v5@onnx', licence: 'Apache-2.0' });
    const r = await detectPersons({ data: new Uint8Array(128 * 128 * 3), width: 128, height: 128, channels: 3 }, { model: { model: file, licence: 'Apache-2.0' }, minScore: 0.5 });
    expect(r).toMatchObject({ count: 1, model: 'v5@onnx', licence: 'Apache-2.0' });
    await expect(loadPersonModel({ model: '/nope/missing.onnx' })).rejects.toThrow(/does not exist/);
    await expect(loadPersonModel({ model: 'resnet' })).rejects.toThrow(/PERSON_MODEL must be one of/);
  });
});

describe('no ceiling on the count', () => {
  /** A grid of cropped fixture players, `n` people at `cw`×`ch` px each. */
  async function mosaic(cols: number, rows: number, cw: number, ch: number): Promise<Buffer> {
    const src = await readFile(path.join(FIXTURES, 'basketball1.png'));
    const a = await sharp(src).extract({ left: 30, top: 75, width: 150, height: 405 }).resize(cw, ch, { fit: 'fill' }).png().toBuffer();
    const b = await sharp(src).extract({ left: 430, top: 15, width: 210, height: 465 }).resize(cw, ch, { fit: 'fill' }).png().toBuffer();
    const tiles = [];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) tiles.push({ input: (r + c) % 2 ? b : a, left: c * cw, top: r * ch + 20 });
    return sharp({ create: { width: cols * cw, height: rows * ch + 20, channels: 3, background: '#8a8a8a' } }).composite(tiles).jpeg({ quality: 90 }).toBuffer();
  }

  it('counts several hundred people in a large crowd image (YOLO, tiled)', async () => {
    const img = await mosaic(24, 10, 100, 250); // 240 people, 2400×2520 px
    const r = await detectPersons(img, { model: { model: 'yolov8n', tiles: '3x3' } });
    expect(Math.abs(r.count - 240), `counted ${r.count}`).toBeLessThanOrEqual(48); // within 20 % (tile seams on a synthetic grid)
  });

  it('the default model counts past 100 too, on tiles of a large photo', async () => {
    const img = await mosaic(15, 8, 100, 250); // 120 people, 1500×2020 px
    const r = await detectPersons(img, { model: { model: 'coco-ssd', tiles: 'always:4x4' } });
    expect(r.count).toBeGreaterThan(100);
    expect(r.count).toBeLessThanOrEqual(132);
  });
});
