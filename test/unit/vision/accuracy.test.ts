/**
 * Accuracy regression on the sparse end, with the default person model and its shipped settings: the three
 * photo fixtures and twelve frames of the pedestrian clip, all counted by eye (test/fixtures/*-counts.json).
 * Tolerances are the documented ones (docs/vision.md): per image max(1, 25 % of the eye count), and a mean
 * absolute error of at most 1.0 person over the 15 images (measured: see the accuracy bench). The crowd end
 * is measured by `npm run bench -- accuracy` on the development set, which is not in the repository.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ffmpegPath } from '../../../shared/video/ffmpeg.js';
import { detectPersons, detectPersonsRgb } from '../../../shared/vision/detect.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const MAX_MAE = 1.0;
const tolerance = (truth: number) => Math.max(1, Math.ceil(0.25 * truth));

async function frameAt(t: number): Promise<Uint8Array> {
  // Accurate seek (-ss after -i), as the frames were counted.
  const { stdout } = await promisify(execFile)(
    ffmpegPath(),
    ['-v', 'error', '-i', path.join(FIXTURES, 'pedestrians_0-30s.mp4'), '-ss', String(t), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 8 << 20 },
  );
  return new Uint8Array(stdout);
}

describe('people counts on the eye-counted fixtures (default model)', () => {
  it(`every image within max(1, 25 %), MAE ≤ ${MAX_MAE}`, async () => {
    const photos = JSON.parse(await readFile(path.join(FIXTURES, 'people-counts.json'), 'utf8')) as { images: Record<string, { count: number }> };
    const clip = JSON.parse(await readFile(path.join(FIXTURES, 'pedestrian-counts.json'), 'utf8')) as { frames: Array<{ t: number; count: number }> };
    const rows: Array<{ what: string; truth: number; got: number }> = [];
    for (const [name, v] of Object.entries(photos.images)) {
      rows.push({ what: name, truth: v.count, got: (await detectPersons(await readFile(path.join(FIXTURES, name)))).count });
    }
    for (const f of clip.frames) {
      rows.push({ what: `clip t=${f.t}`, truth: f.count, got: (await detectPersonsRgb(await frameAt(f.t), 768, 576)).count });
    }
    expect(rows).toHaveLength(15);
    for (const r of rows) expect(Math.abs(r.got - r.truth), `${r.what}: counted ${r.got}, by eye ${r.truth}`).toBeLessThanOrEqual(tolerance(r.truth));
    const mae = rows.reduce((s, r) => s + Math.abs(r.got - r.truth), 0) / rows.length;
    expect(mae, JSON.stringify(rows)).toBeLessThanOrEqual(MAX_MAE);
  });
});
