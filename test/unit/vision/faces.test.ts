import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FACE_EMBEDDING_DIM,
  NotAnImageError,
  detectFaces,
  similarity,
  type FaceDetection,
  type FaceResult,
} from '../../../shared/vision/detect.js';
import { FACE_MODEL_ID, getVisionRuntime } from '../../../shared/vision/model.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const NAMES = ['messi5.jpg', 'basketball1.png', 'basketball2.png'] as const;
type Name = (typeof NAMES)[number];

interface HandCounts {
  images: Record<string, { people: { who: string; faceCentre?: [number, number] }[] }>;
}

const images = {} as Record<Name, Buffer>;
/** Default detection (facemesh-verified). */
const verified = {} as Record<Name, FaceResult>;
/** verify: false — also profile faces and blazeface's false positives: a gallery with distractors. */
const unverified = {} as Record<Name, FaceResult>;
let hand: HandCounts;

const contains = (f: FaceDetection, [px, py]: [number, number]) =>
  px >= f.box[0] && px <= f.box[0] + f.box[2] && py >= f.box[1] && py <= f.box[1] + f.box[3];
const faceCentre = (name: Name, who: RegExp) =>
  hand.images[name]!.people.find((p) => who.test(p.who))!.faceCentre!;
const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** Gallery ranked by similarity to the query, best first. */
const rank = (query: number[], gallery: FaceDetection[]) =>
  gallery.map((g) => ({ face: g, sim: similarity(query, g.embedding) })).sort((a, b) => b.sim - a.sim);

beforeAll(async () => {
  hand = JSON.parse(await readFile(path.join(FIXTURES, 'people-counts.json'), 'utf8')) as HandCounts;
  for (const name of NAMES) {
    images[name] = await readFile(path.join(FIXTURES, name));
    verified[name] = await detectFaces(images[name]);
    unverified[name] = await detectFaces(images[name], { verify: false });
  }
});

describe('detectFaces', () => {
  it('finds Messi\'s face with a unit-length embedding of fixed dimension', () => {
    const r = verified['messi5.jpg'];
    expect(r.model).toBe(FACE_MODEL_ID);
    expect(FACE_MODEL_ID).toMatch(/^human-faceres@\d+\.\d+\.\d+$/);
    expect(r.faces).toHaveLength(1); // the stand spectators are too blurred to be faces
    const [messi] = r.faces;
    expect(contains(messi!, faceCentre('messi5.jpg', /Messi/))).toBe(true);
    expect(messi!.embedding).toHaveLength(FACE_EMBEDDING_DIM);
    expect(norm(messi!.embedding)).toBeCloseTo(1, 5);
    expect(messi!.score).toBeGreaterThan(0.5);
  });

  it('returns boxes inside the image, in its pixel grid', () => {
    for (const name of NAMES) {
      for (const r of [verified[name], unverified[name]]) {
        for (const f of r.faces) {
          const [x, y, w, h] = f.box;
          expect(x).toBeGreaterThanOrEqual(0);
          expect(y).toBeGreaterThanOrEqual(0);
          expect(w).toBeGreaterThan(0);
          expect(h).toBeGreaterThan(0);
          expect(x + w).toBeLessThanOrEqual(r.width);
          expect(y + h).toBeLessThanOrEqual(r.height);
          expect(f.embedding).toHaveLength(FACE_EMBEDDING_DIM);
        }
      }
    }
  });

  it('facemesh verification drops candidates that blazeface alone keeps', () => {
    // blazeface at 0.2 also proposes the right player's profile, his hands, and a patch of crowd in messi5.
    for (const name of NAMES) expect(unverified[name].faces.length).toBeGreaterThanOrEqual(verified[name].faces.length);
    expect(unverified['basketball2.png'].faces.length).toBeGreaterThan(verified['basketball2.png'].faces.length);
    expect(unverified['messi5.jpg'].faces.length).toBeGreaterThan(1);
    // Frontal left player: found either way.
    for (const name of ['basketball1.png', 'basketball2.png'] as const) {
      expect(verified[name].faces.some((f) => contains(f, faceCentre(name, /left/)))).toBe(true);
    }
  });

  it('a face matches itself after resize + JPEG re-compression better than any other face', async () => {
    const original = verified['messi5.jpg'].faces[0]!;
    const recompressed = await sharp(images['messi5.jpg'])
      .resize(Math.round(548 * 0.75))
      .jpeg({ quality: 70 })
      .toBuffer();
    const again = await detectFaces(recompressed);
    expect(again.faces).toHaveLength(1);
    const self = similarity(original.embedding, again.faces[0]!.embedding);
    // Every other face in the fixtures, including blazeface's false positives.
    const others = [
      ...unverified['basketball1.png'].faces,
      ...unverified['basketball2.png'].faces,
      ...unverified['messi5.jpg'].faces.filter((f) => !contains(f, faceCentre('messi5.jpg', /Messi/))),
    ];
    expect(others.length).toBeGreaterThanOrEqual(6);
    const bestOther = Math.max(...others.map((f) => similarity(original.embedding, f.embedding)));
    expect(self).toBeGreaterThan(bestOther);
    expect(self - bestOther).toBeGreaterThan(0.2); // measured 0.86 vs 0.31
  });

  it('the left player of basketball1 is the best match in basketball2 (verified faces)', () => {
    const query = verified['basketball1.png'].faces.find((f) => contains(f, faceCentre('basketball1.png', /left/)))!;
    const gallery = [...verified['basketball2.png'].faces, ...verified['messi5.jpg'].faces];
    const ranked = rank(query.embedding, gallery);
    expect(contains(ranked[0]!.face, faceCentre('basketball2.png', /left/))).toBe(true);
    expect(ranked[0]!.sim).toBeGreaterThan(0.8); // measured 0.93
    expect(ranked[0]!.sim - ranked[1]!.sim).toBeGreaterThan(0.3);
  });

  it('each player of basketball1 finds himself in basketball2 in the top 3 of a gallery with distractors', () => {
    // Unverified faces so the right player (profile, rejected by facemesh) takes part, and the gallery holds
    // six faces of which four are someone/something else.
    const gallery = [...unverified['basketball2.png'].faces, ...unverified['messi5.jpg'].faces];
    expect(gallery.length).toBeGreaterThanOrEqual(5);
    for (const who of [/left/, /right/]) {
      const query = unverified['basketball1.png'].faces.find((f) => contains(f, faceCentre('basketball1.png', who)));
      expect(query, `basketball1 ${String(who)} player's face`).toBeDefined();
      const ranked = rank(query!.embedding, gallery);
      const position = ranked.findIndex((r) => contains(r.face, faceCentre('basketball2.png', who)));
      expect(position, `rank of the same ${String(who)} player`).toBeGreaterThanOrEqual(0);
      expect(position).toBeLessThan(3);
      expect(position).toBe(0); // measured: rank 1 for both players (0.92, 0.91)
    }
  });

  it('rejects non-images with NotAnImageError', async () => {
    await expect(detectFaces(Buffer.from('{"not": "an image"}'))).rejects.toBeInstanceOf(NotAnImageError);
  });

  it('does not leak tensors', async () => {
    const { tf } = await getVisionRuntime();
    await detectFaces(images['basketball1.png']);
    const before = tf.memory().numTensors;
    await detectFaces(images['basketball2.png']);
    await detectFaces(images['messi5.jpg'], { verify: false });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('similarity', () => {
  it('is cosine similarity: 1 for itself, symmetric, scale-free, equal to the dot product of embeddings', () => {
    const a = verified['basketball1.png'].faces[0]!.embedding;
    const b = verified['messi5.jpg'].faces[0]!.embedding;
    expect(similarity(a, a)).toBeCloseTo(1, 6);
    expect(similarity(a, b)).toBeCloseTo(similarity(b, a), 12);
    expect(similarity(a.map((x) => x * 7), b)).toBeCloseTo(similarity(a, b), 9);
    const dot = a.reduce((s, x, i) => s + x * b[i]!, 0);
    expect(similarity(a, b)).toBeCloseTo(dot, 6);
    expect(similarity([1, 0], [-1, 0])).toBe(-1);
    expect(similarity([0, 0], [1, 0])).toBe(0);
    expect(() => similarity([1, 2], [1, 2, 3])).toThrow(RangeError);
  });
});
