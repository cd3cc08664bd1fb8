import { describe, expect, it } from 'vitest';
import { countPersons, nms, type CountSettings, type TiledCandidate } from '../../../shared/vision/persons/counting.js';
import { fastCount, fitSettings, leaveOneOut, prepare, productCount, relativeError, crowdOf, settingsGrid, type Labelled } from '../../../shared/vision/persons/calibrate.js';
import { crop, tileRects } from '../../../shared/vision/persons/tiles.js';

const size = { width: 1000, height: 800 };
const box = (x: number, y: number, score: number, w = 40, h = 100, tile?: number): TiledCandidate => ({ x1: x, y1: y, x2: x + w, y2: y + h, score, ...(tile !== undefined ? { tile } : {}) });
const base: CountSettings = { minScore: 0.5, iou: 0.5, ignoreTopEdge: false };

/** A deterministic pseudo-random generator (the tests must not depend on Math.random). */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('countPersons: the counting rules', () => {
  it('counts boxes at or above minScore after person-only NMS', () => {
    const cands = [box(100, 100, 0.9), box(102, 101, 0.8), box(300, 100, 0.6), box(500, 100, 0.4)];
    const r = countPersons(cands, size, base);
    expect(r.count).toBe(2); // the 0.8 duplicate of the 0.9 box is suppressed, 0.4 is below minScore
    expect(r.persons.map((p) => p.score)).toEqual([0.9, 0.6]);
    expect(r.threshold).toBe(0.5);
  });

  it('crowd rule: with at least crowdFrom strong persons, persons count from crowdMinScore', () => {
    const strong = Array.from({ length: 10 }, (_, i) => box(i * 60, 300, 0.6));
    const weak = Array.from({ length: 5 }, (_, i) => box(i * 60, 500, 0.3));
    const s: CountSettings = { ...base, crowdMinScore: 0.25, crowdFrom: 10 };
    expect(countPersons([...strong, ...weak], size, s)).toMatchObject({ count: 15, threshold: 0.25 });
    // One strong person fewer: not a crowd, the weak ones stay out.
    expect(countPersons([...strong.slice(1), ...weak], size, s)).toMatchObject({ count: 9, threshold: 0.5 });
    // The caller's decision (made on the whole-image pass before tiling) wins.
    expect(countPersons([...strong.slice(1), ...weak], size, s, true).count).toBe(14);
    // crowdScale applies to crowds only.
    expect(countPersons([...strong, ...weak], size, { ...s, crowdScale: 1.2 }).count).toBe(18);
    expect(countPersons([...strong.slice(1), ...weak], size, { ...s, crowdScale: 1.2 }).count).toBe(9);
  });

  it('top edge: a box touching the image top is not counted when ignoreTopEdge', () => {
    const cands = [box(100, 0, 0.9), box(300, 3, 0.9), box(500, 200, 0.9)];
    expect(countPersons(cands, size, base).count).toBe(3);
    // 0.5 % of 800 px = 4 px: y1 0 and 3 touch the top.
    expect(countPersons(cands, size, { ...base, ignoreTopEdge: true }).count).toBe(1);
  });

  it('size and shape filters, masks by ground point, count region', () => {
    const small = box(100, 100, 0.9, 10, 20); // 200 px²
    const wide = box(300, 100, 0.9, 100, 50); // aspect 0.5
    const person = box(600, 100, 0.9, 40, 100); // ground point (620, 200)
    expect(countPersons([small, wide, person], size, { ...base, minArea: 500 }).count).toBe(2);
    expect(countPersons([small, wide, person], size, { ...base, maxArea: 4000 }).count).toBe(2);
    expect(countPersons([small, wide, person], size, { ...base, minAspect: 1 }).count).toBe(2);
    expect(countPersons([small, wide, person], size, { ...base, maxAspect: 2.2 }).count).toBe(2); // drops the person (2.5)
    expect(countPersons([small, wide, person], size, { ...base, maxAspect: 1.5 }).count).toBe(1);
    const mask = [[590, 150], [650, 150], [650, 250], [590, 250]] as [number, number][];
    expect(countPersons([small, wide, person], size, { ...base, masks: [mask] }).count).toBe(2);
    const r = countPersons([small, wide, person], size, { ...base, countRegion: [[0, 0], [500, 0], [500, 800], [0, 800]] });
    expect(r).toMatchObject({ count: 3, inRegion: 2 });
    expect(countPersons([person], size, base).inRegion).toBeUndefined();
  });

  it('NMS merges a box cut by a tile border into the whole box from another tile, not within one pass', () => {
    const whole = box(100, 100, 0.9, 40, 100, 0);
    const cut = box(100, 100, 0.7, 40, 45, 1); // the upper part only, inside `whole`: IoU 0.45
    expect(nms([whole, cut], 0.5)).toHaveLength(1);
    // Same pass: an occluded person behind another is a legitimate second box.
    expect(nms([{ ...whole, tile: 0 }, { ...cut, tile: 0 }], 0.5)).toHaveLength(2);
  });
});

describe('calibrate: fitting counting settings', () => {
  function item(truth: number, seed: number, tiled = false): Labelled {
    const r = rng(seed);
    const candidates = Array.from({ length: truth + 6 }, (_, i) => box(40 * (i % 20) + r() * 5, 120 * Math.floor(i / 20) + (i % 7 === 0 ? 0 : 50), r(), 35, 90, 0));
    return { truth, ...size, candidates, ...(tiled ? { tiled: [...candidates, ...candidates.slice(0, 4).map((c) => ({ ...c, x1: c.x1 + 400, x2: c.x2 + 400, tile: 1 }))] } : {}) };
  }

  it('fastCount equals the product count (countPersons) for every setting of the grid', () => {
    const ps = prepare([item(12, 1), item(30, 2, true), item(3, 3), item(50, 4, true)]);
    let checked = 0;
    for (const s of settingsGrid()) {
      if (checked++ % 37) continue; // a spread sample of the grid keeps the test fast
      for (const p of ps) expect(fastCount(p, s), JSON.stringify(s)).toBe(productCount(p.item, s, crowdOf(p, s)));
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('fits settings that count the labelled images better than the loosest setting, and leave-one-out holds out', () => {
    const items = [item(10, 11), item(20, 12), item(15, 13), item(8, 14), item(25, 15)];
    const ps = prepare(items);
    const fitted = fitSettings(ps, relativeError);
    const loose = { minScore: 0.2, iou: 0.45, ignoreTopEdge: false };
    expect(relativeError(ps, fitted)).toBeLessThan(relativeError(ps, loose));
    const held = leaveOneOut(ps);
    expect(held).toHaveLength(5);
    for (const h of held) expect(Number.isInteger(h)).toBe(true);
  });
});

describe('tiles', () => {
  it('cover the image with the overlap asked for, and crops copy the right pixels', () => {
    const rects = tileRects(1000, 800, { rows: 2, cols: 2, overlap: 0.2 });
    expect(rects).toHaveLength(4);
    expect(rects[0]).toMatchObject({ x: 0, y: 0 });
    const last = rects[3]!;
    expect(last.x + last.w).toBe(1000);
    expect(last.y + last.h).toBe(800);
    expect(rects[0]!.w - rects[1]!.x).toBeGreaterThanOrEqual(Math.floor(0.2 * rects[0]!.w) - 1);
    const rgb = new Uint8Array(4 * 3 * 3).map((_, i) => i);
    const c = crop({ rgb, width: 4, height: 3, sourceWidth: 4, sourceHeight: 3 }, 1, 1, 2, 2);
    expect([...c.rgb]).toEqual([15, 16, 17, 18, 19, 20, 27, 28, 29, 30, 31, 32]);
  });
});
