import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_MASKS, cachedDetectorSettings, detectorSettingsSchema, parseDetectorSettings, storedDetectorSettings } from '../../../shared/clips/registry/detector.js';
import { issuesToDetails } from '../../../shared/platform/validation.js';
import { keepStatic, mergeFit, readLabels, storedFit } from '../../../cli/calibrate.js';

const square = (x: number, y: number, s: number): [number, number][] => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];

/** The 400 details the HTTP stack would answer with (body schema → `body.<path>`). */
function paths(body: unknown): string[] {
  const r = detectorSettingsSchema.safeParse(body);
  return r.success ? [] : issuesToDetails(r.error.issues, 'body').map((d) => d.path);
}

describe('camera detector settings (PUT /cameras/{id}/detector body)', () => {
  it('accepts every field, any subset, and the empty object', () => {
    const full = {
      minScore: 0.3, crowdMinScore: 0.15, crowdFrom: 12, crowdScale: 1.2, iou: 0.5, ignoreTopEdge: false,
      minArea: 100, maxArea: 90_000, minAspect: 0.8, maxAspect: 5,
      masks: [square(0, 0, 50), square(100, 100, 20)], countRegion: [[0, 0], [320, 0], [320, 480], [0, 480]],
    };
    expect(parseDetectorSettings(full)).toEqual({ ok: true, value: full });
    expect(parseDetectorSettings({})).toEqual({ ok: true, value: {} });
    expect(parseDetectorSettings({ minScore: 0 })).toEqual({ ok: true, value: { minScore: 0 } });
    expect(parseDetectorSettings({ crowdFrom: 1000, crowdScale: 3, iou: 0.95, masks: [] }).ok).toBe(true);
    expect(parseDetectorSettings({ minArea: 50, maxArea: 50, minAspect: 2, maxAspect: 2 }).ok).toBe(true);
  });

  it('stores polygons without a closing vertex, like the clip rules', () => {
    const r = parseDetectorSettings({ countRegion: [[0, 0], [10, 0], [10, 10], [0, 0]] });
    expect(r).toEqual({ ok: true, value: { countRegion: [[0, 0], [10, 0], [10, 10]] } });
  });

  it.each([
    [{ minScore: 1.5 }, 'body.minScore'],
    [{ minScore: -0.1 }, 'body.minScore'],
    [{ minScore: '0.5' }, 'body.minScore'],
    [{ crowdMinScore: 2 }, 'body.crowdMinScore'],
    [{ minScore: 0.2, crowdMinScore: 0.3 }, 'body.crowdMinScore'],
    [{ crowdFrom: 0 }, 'body.crowdFrom'],
    [{ crowdFrom: 2.5 }, 'body.crowdFrom'],
    [{ crowdFrom: 1001 }, 'body.crowdFrom'],
    [{ crowdScale: 0.9 }, 'body.crowdScale'],
    [{ crowdScale: 3.1 }, 'body.crowdScale'],
    [{ iou: 0.01 }, 'body.iou'],
    [{ iou: 0.99 }, 'body.iou'],
    [{ ignoreTopEdge: 'yes' }, 'body.ignoreTopEdge'],
    [{ minArea: -1 }, 'body.minArea'],
    [{ minArea: 500, maxArea: 100 }, 'body.maxArea'],
    [{ minAspect: -1 }, 'body.minAspect'],
    [{ maxAspect: -2 }, 'body.maxAspect'],
    [{ minAspect: 3, maxAspect: 1 }, 'body.maxAspect'],
    [{ masks: [square(0, 0, 10), [[0, 0], [100, 100], [100, 0], [0, 100]]] }, 'body.masks.1'], // self-intersecting
    [{ masks: [square(0, 0, 10), [[0, 0], [1, 1]]] }, 'body.masks.1'], // < 3 points
    [{ masks: [square(0, 0, 10), [[0, 0], [-5, 10], [10, 10]]] }, 'body.masks.1.1.0'], // negative coordinate
    [{ masks: Array.from({ length: MAX_MASKS + 1 }, (_, i) => square(i * 10, 0, 5)) }, 'body.masks'],
    [{ masks: square(0, 0, 10) }, 'body.masks.0'], // one polygon where an array of polygons belongs
    [{ countRegion: [] }, 'body.countRegion'],
    [{ countRegion: [square(0, 0, 10)] }, 'body.countRegion.0'], // an array of polygons where one belongs
  ])('refuses %j naming %s', (body, path) => {
    expect(paths(body)).toContain(path);
  });

  it('refuses unknown fields (a typo is not silently ignored) and non-objects', () => {
    const r = parseDetectorSettings({ minscore: 0.5 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.details[0]!.message).toMatch(/unknown setting "minscore"/);
    expect(paths([])).toEqual(['body']);
    expect(paths(null)).toEqual(['body']);
    expect(paths({ model: 'yolov8n' })).toEqual(['body']);
  });

  it('stored settings that no longer validate are ignored (model defaults), none = {}', () => {
    expect(storedDetectorSettings(null)).toEqual({});
    expect(storedDetectorSettings({ cameraId: 'c' })).toEqual({});
    expect(storedDetectorSettings({ cameraId: 'c', detector: { minScore: 0.5 } })).toEqual({ minScore: 0.5 });
    expect(storedDetectorSettings({ cameraId: 'c', detector: { minScore: 7 } })).toEqual({});
  });
});

describe('per-container settings cache', () => {
  it('one read per camera within the TTL, shared by concurrent callers; failures are not cached', async () => {
    const reads: string[] = [];
    let fail = false;
    const get = cachedDetectorSettings(async (id) => {
      reads.push(id);
      if (fail) throw new Error('ddb down');
      return { minScore: reads.length / 10 };
    }, 60_000, 2);
    const [a, b] = await Promise.all([get('cam1', 0), get('cam1', 10)]);
    expect(a).toBe(b);
    expect(await get('cam1', 59_999)).toBe(a);
    expect(reads).toEqual(['cam1']);
    expect(await get('cam1', 60_000)).not.toBe(a); // expired
    expect(reads).toEqual(['cam1', 'cam1']);
    fail = true;
    await expect(get('cam2', 0)).rejects.toThrow('ddb down');
    await new Promise((r) => setImmediate(r));
    fail = false;
    await expect(get('cam2', 1)).resolves.toEqual({ minScore: 0.4 }); // retried, not the cached failure
    await get('cam3', 2); // third camera with maxEntries 2: the oldest (cam1) goes
    await get('cam1', 3);
    expect(reads.filter((r) => r === 'cam1')).toHaveLength(3);
  });
});

describe('panoptes calibrate helpers', () => {
  it('reads counts.json (file relative to it, or url) and refuses bad ones clearly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'calib-unit-'));
    const f = join(dir, 'counts.json');
    await writeFile(f, JSON.stringify({ images: [{ file: 'a.jpg', count: 3 }, { file: 'sub/b.png', count: 0 }, { url: 'https://example.com/c.jpg', count: 12 }] }));
    expect(await readLabels(f)).toEqual([
      { name: 'a.jpg', source: join(dir, 'a.jpg'), isUrl: false, count: 3 },
      { name: 'sub/b.png', source: join(dir, 'sub/b.png'), isUrl: false, count: 0 },
      { name: 'https://example.com/c.jpg', source: 'https://example.com/c.jpg', isUrl: true, count: 12 },
    ]);
    const bad = async (content: string) => {
      await writeFile(f, content);
      return readLabels(f).then(() => 'no error', (e: Error) => e.message);
    };
    expect(await bad('{ "images": ')).toMatch(/not valid JSON/);
    expect(await bad(JSON.stringify({ images: [{ file: 'a.jpg', count: 1 }, { file: 'b.jpg', count: 1 }] }))).toMatch(/at least 3 labelled images/);
    expect(await bad(JSON.stringify({ images: [{ file: 'a', count: 1 }, { file: 'b', count: -1 }, { file: 'c', count: 1 }] }))).toMatch(/images\.1\.count: must be ≥ 0/);
    expect(await bad(JSON.stringify({ images: [{ file: 'a', count: 1 }, { count: 1 }, { file: 'c', url: 'https://x/y', count: 1 }] }))).toMatch(/images\.1: give either "file" or "url".*images\.2: give either/);
    expect(await bad(JSON.stringify([1, 2, 3]))).toMatch(/invalid/);
    expect(await readLabels(join(dir, 'nope.json')).catch((e: Error) => e.message)).toMatch(/cannot read labels file/);
  });

  it('merges a fit into the stored settings: thresholds replaced, masks/region/sizes kept, crowd rule explicit', () => {
    const stored = { minScore: 0.5, crowdMinScore: 0.1, crowdFrom: 4, minArea: 20, masks: [square(0, 0, 10)], countRegion: square(0, 0, 100) };
    const off = mergeFit(stored, { minScore: 0.3, iou: 0.5, ignoreTopEdge: true });
    expect(off).toEqual({
      minArea: 20, masks: stored.masks, countRegion: stored.countRegion,
      minScore: 0.3, crowdMinScore: 0.3, crowdFrom: 1000, crowdScale: 1, iou: 0.5, ignoreTopEdge: true, minAspect: 0,
    });
    expect(parseDetectorSettings(off).ok).toBe(true);
    expect(storedFit({ minScore: 0.4, crowdMinScore: 0.2, crowdFrom: 10, crowdScale: 1.3, iou: 0.6, ignoreTopEdge: false, minAspect: 0.5 }))
      .toEqual({ minScore: 0.4, crowdMinScore: 0.2, crowdFrom: 10, crowdScale: 1.3, iou: 0.6, ignoreTopEdge: false, minAspect: 0.5 });
  });

  it('drops candidates the camera never counts (masks by ground point, size bounds) before fitting', () => {
    const keep = keepStatic({ masks: [square(0, 0, 100)], minArea: 50 });
    expect(keep({ x1: 10, y1: 10, x2: 30, y2: 90, score: 0.9 })).toBe(false); // stands in the mask
    expect(keep({ x1: 10, y1: 10, x2: 30, y2: 150, score: 0.9 })).toBe(true); // feet below it
    expect(keep({ x1: 200, y1: 200, x2: 205, y2: 205, score: 0.9 })).toBe(false); // 25 px² < minArea
  });
});
