import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  NotAnImageError,
  detectPersons,
  detectPersonsRgb,
  loadPersonModel,
  type Box,
  type PersonResult,
} from '../../../shared/vision/detect.js';
import { getVisionRuntime } from '../../../shared/vision/model.js';
import { DEFAULT_PERSON_MODEL } from '../../../shared/vision/persons/engines.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');

interface HandCounts {
  images: Record<
    string,
    { width: number; height: number; count: number; people: { who: string; box?: Box }[] }
  >;
}

const iou = (a: Box, b: Box) => {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a[2] * a[3] + b[2] * b[3] - w * h);
};

function expectBoxesInside(r: PersonResult) {
  for (const d of r.detections) {
    const [x, y, w, h] = d.box;
    expect(d.box.every(Number.isInteger)).toBe(true);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(w).toBeGreaterThan(0);
    expect(h).toBeGreaterThan(0);
    expect(x + w).toBeLessThanOrEqual(r.width);
    expect(y + h).toBeLessThanOrEqual(r.height);
  }
}

let hand: HandCounts;
const images: Record<string, Buffer> = {};
const results: Record<string, PersonResult> = {};

beforeAll(async () => {
  hand = JSON.parse(await readFile(path.join(FIXTURES, 'people-counts.json'), 'utf8')) as HandCounts;
  for (const name of Object.keys(hand.images)) {
    images[name] = await readFile(path.join(FIXTURES, name));
    results[name] = await detectPersons(images[name]!);
  }
});

describe('detectPersons on the fixtures (default model)', () => {
  it('loads the default person model once and labels results with its id and licence', async () => {
    const [a, b] = await Promise.all([loadPersonModel(), loadPersonModel()]);
    expect(a).toBe(b);
    expect(DEFAULT_PERSON_MODEL).toBe('coco-ssd');
    expect(a.engine.id).toMatch(/^coco-ssd/);
    const rt = await getVisionRuntime();
    expect(rt.tf.getBackend()).toBe('wasm');
    for (const r of Object.values(results)) expect(r).toMatchObject({ model: a.engine.id, licence: 'Apache-2.0' });
  });

  it('finds every hand-boxed person (IoU >= 0.5)', () => {
    for (const [name, truth] of Object.entries(hand.images)) {
      for (const p of truth.people) {
        if (!p.box) continue;
        const best = Math.max(0, ...results[name]!.detections.map((d) => iou(d.box, p.box!)));
        expect(best, `${name}: ${p.who}`).toBeGreaterThanOrEqual(0.5);
      }
    }
  });

  it('returns integer boxes inside the image, scores >= the threshold that applied, best first', () => {
    for (const [name, truth] of Object.entries(hand.images)) {
      const r = results[name]!;
      expect([r.width, r.height]).toEqual([truth.width, truth.height]);
      expect(r.count).toBe(r.detections.length);
      expectBoxesInside(r);
      const scores = r.detections.map((d) => d.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const s of scores) {
        expect(s).toBeGreaterThanOrEqual(r.threshold - 5e-4);
        expect(s).toBeLessThanOrEqual(1);
      }
      expect(r.ms).toBeGreaterThan(0);
    }
  });

  it('minScore narrows the count; maxDetections caps the boxes, not the count', async () => {
    const messi = images['messi5.jpg']!;
    const loose = await detectPersons(messi, { minScore: 0.1 });
    expect(loose.count).toBeGreaterThan(results['messi5.jpg']!.count);
    const strict = await detectPersons(messi, { minScore: 0.9 });
    expect(strict.count).toBe(1); // only Messi
    const capped = await detectPersons(messi, { minScore: 0.1, maxDetections: 3 });
    expect(capped.detections).toEqual(loose.detections.slice(0, 3));
    expect(capped.count).toBe(loose.count);
  });

  it('masks and a count region apply in the caller\'s pixels', async () => {
    const b1 = images['basketball1.png']!;
    const left: [number, number][] = [[0, 0], [320, 0], [320, 480], [0, 480]];
    const r = await detectPersons(b1, { countRegion: left });
    expect(r).toMatchObject({ count: 2, inRegion: 1 });
    const masked = await detectPersons(b1, { masks: [left] });
    expect(masked.count).toBe(1);
    expect(masked.detections[0]!.box[0]).toBeGreaterThan(320);
  });
});

describe('raw frames and image handling', () => {
  it('a raw RGB frame gives the same result as the encoded image', async () => {
    const { data, info } = await sharp(images['basketball1.png']!)
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    const raw = await detectPersonsRgb(new Uint8Array(data), info.width, info.height);
    expect(raw.detections).toEqual(results['basketball1.png']!.detections);
    // RGBA frames are accepted too (alpha ignored).
    const rgba = await sharp(images['basketball1.png']!).toColourspace('srgb').ensureAlpha().raw().toBuffer();
    const r4 = await detectPersons({ data: rgba, width: info.width, height: info.height, channels: 4 });
    expect(r4.detections).toEqual(raw.detections);
  });

  it('reports boxes in the source grid when a large image is shrunk for the model', async () => {
    const big = await sharp(images['messi5.jpg']!).resize(548 * 4).jpeg({ quality: 92 }).toBuffer();
    const r = await detectPersons(big);
    expect([r.width, r.height]).toEqual([548 * 4, 342 * 4]);
    expectBoxesInside(r);
    const messi = results['messi5.jpg']!.detections[0]!.box.map((v) => v * 4) as Box;
    expect(iou(r.detections[0]!.box, messi)).toBeGreaterThan(0.8);
  });

  it('applies EXIF orientation: boxes are in the image as displayed', async () => {
    // Pixels stored turned 90° anticlockwise (342×548) and tagged orientation 6 ("rotate 90° clockwise to
    // display"), as phones do: displayed, it is the upright 548×342 original again.
    const sideways = await sharp(images['messi5.jpg']!).rotate(-90).jpeg({ quality: 95 }).toBuffer();
    const tagged = await sharp(sideways).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(tagged).metadata()).width).toBe(342);
    const r = await detectPersons(tagged);
    expect([r.width, r.height]).toEqual([548, 342]);
    expectBoxesInside(r);
    expect(iou(r.detections[0]!.box, results['messi5.jpg']!.detections[0]!.box)).toBeGreaterThan(0.8);
  });

  it('rejects non-images with NotAnImageError', async () => {
    const text = Buffer.from('hello, this is not an image\n'.repeat(20));
    await expect(detectPersons(text)).rejects.toBeInstanceOf(NotAnImageError);
    await expect(detectPersons(Buffer.alloc(0))).rejects.toBeInstanceOf(NotAnImageError);
    const truncated = images['messi5.jpg']!.subarray(0, 4000);
    await expect(detectPersons(truncated)).rejects.toBeInstanceOf(NotAnImageError);
    await expect(detectPersonsRgb(new Uint8Array(10), 4, 4)).rejects.toBeInstanceOf(NotAnImageError);
    await expect(detectPersonsRgb(new Uint8Array(0), 0, 0)).rejects.toBeInstanceOf(NotAnImageError);
    const err = await detectPersons(text).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NotAnImageError', code: 'NOT_AN_IMAGE' });
  });

  it('does not leak tensors and serialises concurrent calls', async () => {
    const { tf } = await getVisionRuntime();
    await detectPersons(images['basketball2.png']!);
    const before = tf.memory().numTensors;
    const all = await Promise.all(Object.values(images).map((b) => detectPersons(b)));
    expect(all.map((r) => r.count)).toEqual(Object.keys(images).map((n) => results[n]!.count));
    expect(tf.memory().numTensors).toBe(before);
  });
});
