import '../../support/env.js';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_KEY, stackInfo } from '../../support/env.js';
import { api, eventually } from '../../support/http.js';
import { announce, controlReceiver, fixtureUrl, reportsFor, settle, unique } from '../photos/helpers.js';
import { clipsOf, prepareClipMedia, uploadClip, type ClipMedia } from '../clips/helpers.js';

/**
 * A camera's detector settings (PUT/GET/DELETE /cameras/{id}/detector) and how they reach both pipelines:
 * photos (by cameraCode, the analyse function) and clips (by cameraId, the inference function), and
 * `panoptes calibrate` as a process against the local stack.
 */
const root = resolve(import.meta.dirname, '../../..');
const FIXTURES = join(root, 'test/fixtures');
const run = unique();
const square = (x: number, y: number, s: number) => [[x, y], [x + s, y], [x + s, y + s], [x, y + s]];
/** The left half of basketball1.png (640×480): the left player stands in it, the right one does not. */
const LEFT_HALF = [[0, 0], [320, 0], [320, 480], [0, 480]];

const detector = (cam: string) => api('GET', `/cameras/${cam}/detector`);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'panoptes-detector-e2e-'));
  await controlReceiver(0);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('detector settings API', () => {
  it('a camera without settings counts with the model defaults: {} and the model the functions run', async () => {
    const cam = `det-none-${run}`;
    const r = await detector(cam);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ cameraId: cam, settings: {}, model: process.env.PERSON_MODEL || 'coco-ssd', updatedAt: null });
    if (!process.env.PERSON_MODEL) expect(r.json.defaults).toMatchObject({ minScore: expect.any(Number), iou: expect.any(Number) });
    // Reading does not register the camera.
    expect((await api('GET', `/cameras/${cam}`)).status).toBe(404);
  });

  it('PUT stores, GET shows them, DELETE resets to the defaults', async () => {
    const cam = `det-crud-${run}`;
    const settings = {
      minScore: 0.35, crowdMinScore: 0.2, crowdFrom: 12, crowdScale: 1.1, iou: 0.5, ignoreTopEdge: false,
      minArea: 400, maxArea: 200_000, minAspect: 0.5, maxAspect: 6,
      masks: [square(0, 0, 40), square(600, 0, 40)], countRegion: LEFT_HALF,
    };
    const put = await api('PUT', `/cameras/${cam}/detector`, { body: settings });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({ cameraId: cam, settings, model: expect.any(String) });
    expect(Date.parse(put.json.updatedAt)).toBeGreaterThan(Date.now() - 60_000);
    const got = await detector(cam);
    expect(got.json.settings).toEqual(settings);
    expect(got.json.updatedAt).toBe(put.json.updatedAt);
    // Stored on the camera item of the registry (the camera now exists, like after PUT …/rules).
    expect((await api('GET', `/cameras/${cam}`)).json).toMatchObject({ cameraId: cam, detectorUpdatedAt: put.json.updatedAt });

    // PUT replaces: fields left out go back to the defaults.
    const smaller = await api('PUT', `/cameras/${cam}/detector`, { body: { minScore: 0.5 } });
    expect(smaller.json.settings).toEqual({ minScore: 0.5 });

    const del = await api('DELETE', `/cameras/${cam}/detector`);
    expect(del.status, del.text).toBe(200);
    expect(del.json.settings).toEqual({});
    expect((await detector(cam)).json.settings).toEqual({});
    // Resetting a camera nobody registered does not register it.
    const other = `det-never-${run}`;
    expect((await api('DELETE', `/cameras/${other}/detector`)).json).toMatchObject({ cameraId: other, settings: {} });
    expect((await api('GET', `/cameras/${other}`)).status).toBe(404);
  });

  it('bad settings → 400 naming the field, nothing written', async () => {
    const cam = `det-bad-${run}`;
    const fresh = `det-bad-new-${run}`;
    expect((await api('PUT', `/cameras/${cam}/detector`, { body: { minScore: 0.4 } })).status).toBe(200);
    const cases: Array<[unknown, string]> = [
      [{ masks: [square(0, 0, 10), [[0, 0], [100, 100], [100, 0], [0, 100]]] }, 'body.masks.1'], // self-intersecting
      [{ countRegion: [[0, 0], [1, 1]] }, 'body.countRegion'],
      [{ minScore: 1.2 }, 'body.minScore'],
      [{ crowdFrom: 0.5 }, 'body.crowdFrom'],
      [{ crowdScale: 5 }, 'body.crowdScale'],
      [{ iou: 1 }, 'body.iou'],
      [{ minArea: 10, maxArea: 5 }, 'body.maxArea'],
      [{ minAspect: -0.5 }, 'body.minAspect'],
      [{ masks: Array.from({ length: 21 }, (_, i) => square(i * 10, 0, 5)) }, 'body.masks'],
      [{ minscore: 0.5 }, 'body'], // unknown field (a typo)
    ];
    for (const [body, path] of cases) {
      for (const c of [cam, fresh]) {
        const r = await api('PUT', `/cameras/${c}/detector`, { body });
        expect(r.status, `${JSON.stringify(body)}: ${r.text}`).toBe(400);
        expect(r.json.details.map((d: { path: string }) => d.path), JSON.stringify(body)).toContain(path);
      }
    }
    expect((await api('PUT', `/cameras/${cam}/detector`, { rawBody: 'not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await api('PUT', `/cameras/${cam}/detector`, { body: { minScore: 0.1 }, key: null })).status).toBe(401);
    expect((await api('GET', `/cameras/${cam}/detector`, { key: null })).status).toBe(401);
    expect((await api('PUT', '/cameras/bad%20id/detector', { body: {} })).status).toBe(400);
    // Nothing written: the stored settings are the last good ones, the fresh camera was never created.
    expect((await detector(cam)).json.settings).toEqual({ minScore: 0.4 });
    expect((await api('GET', `/cameras/${fresh}`)).status).toBe(404);
  });
});

describe('photos are counted with their camera\'s settings', () => {
  it('minScore 0.99 counts nobody; the defaults count the players; countRegion → numInRegion', async () => {
    const strict = `det-strict-${run}`;
    const plain = `det-plain-${run}`;
    const region = `det-region-${run}`;
    expect((await api('PUT', `/cameras/${strict}/detector`, { body: { minScore: 0.99, crowdMinScore: 0.99 } })).status).toBe(200);
    expect((await api('PUT', `/cameras/${region}/detector`, { body: { countRegion: LEFT_HALF } })).status).toBe(200);
    const base = Date.now() - 60_000;
    const ids = await Promise.all([strict, plain, region].map((cameraCode, i) =>
      announce({ photoUrl: fixtureUrl('basketball1.png'), cameraCode, callTime: base + i * 1000 })));
    const [s, p, r] = await Promise.all(ids.map((id) => settle(id, undefined, 180_000)));
    for (const rec of [s, p, r]) {
      expect(rec.status, rec.failReason).toBe('done');
      expect(rec).toMatchObject({ analysedBy: 'detector', model: expect.any(String), licence: expect.stringMatching(/^[A-Za-z0-9.+-]+$/) });
    }
    expect(s.numOfPeople).toBe(0);
    expect(s.detections).toEqual([]);
    expect(p.numOfPeople).toBeGreaterThanOrEqual(1);
    expect(p.numInRegion).toBeUndefined();
    expect(r.numOfPeople).toBe(2);
    expect(r.numInRegion).toBe(1);

    // The report carries the model, its licence and (with a region) numInRegion.
    const report = async (id: number) => JSON.parse((await eventually(async () => (await reportsFor(id))[0], `report of ${id}`)).body);
    expect(await report(r.id)).toMatchObject({ id: r.id, cameraCode: region, numOfPeople: 2, numInRegion: 1, model: r.model, licence: r.licence });
    const plainReport = await report(p.id);
    expect(plainReport).toMatchObject({ numOfPeople: p.numOfPeople, model: p.model, licence: p.licence });
    expect(plainReport).not.toHaveProperty('numInRegion');
  });
});

describe('clips are analysed with their camera\'s settings', () => {
  let media: ClipMedia;
  beforeAll(async () => {
    media = await prepareClipMedia();
  });
  afterAll(async () => {
    if (media) await rm(media.dir, { recursive: true, force: true });
  });

  it('the same clip: people with the defaults, nobody at minScore 0.99', async () => {
    const strict = `det-clip-strict-${run}`;
    const plain = `det-clip-plain-${run}`;
    expect((await api('PUT', `/cameras/${strict}/detector`, { body: { minScore: 0.99, crowdMinScore: 0.99 } })).status).toBe(200);
    const t0 = Math.floor((Date.now() - 5 * 60_000) / 1000) * 1000;
    await Promise.all([strict, plain].map((cam) => uploadClip(cam, t0, media.fixture[0]!)));
    const inferred = async (cam: string) => eventually(async () => {
      const c = (await clipsOf(cam))[0] as (Awaited<ReturnType<typeof clipsOf>>[number] & { maxPersons: number | null; model: string | null; licence: string | null }) | undefined;
      return c?.inferredAt ? c : undefined;
    }, `inference of ${cam}'s clip`, 180_000, 500);
    const [s, p] = await Promise.all([inferred(strict), inferred(plain)]);
    expect(p.maxPersons).toBeGreaterThanOrEqual(1);
    expect(s.maxPersons).toBe(0);
    for (const c of [s, p]) expect(c).toMatchObject({ model: expect.any(String), licence: expect.any(String) });
  });
});

describe('panoptes calibrate (CLI process against the local stack)', () => {
  const cli = (args: string[]) => promisify(execFile)(resolve(root, 'node_modules/.bin/tsx'), ['cli/main.ts', 'calibrate', ...args], {
    cwd: root,
    env: { ...process.env, PANOPTES_API: stackInfo().httpUrl, PANOPTES_API_KEY: DEV_KEY },
    maxBuffer: 16 * 1024 * 1024,
  });
  const fails = (args: string[]) => cli(args).then(() => undefined, (e: { code: number; stderr: string }) => e);

  async function labels(images: Array<{ file: string; count: number }>, name = 'counts.json') {
    const f = join(dir, name);
    // Paths relative to the labels file, as an operator writes them.
    await writeFile(f, JSON.stringify({ images: images.map((i) => ({ file: relative(dir, join(FIXTURES, i.file)), count: i.count })) }));
    return f;
  }
  const THREE = [{ file: 'messi5.jpg', count: 7 }, { file: 'basketball1.png', count: 2 }, { file: 'basketball2.png', count: 2 }];

  it('fits, prints the per-image table and errors, stores the fit keeping the camera\'s masks and countRegion', async () => {
    const cam = `det-calib-${run}`;
    const mask = square(0, 0, 5); // a corner nobody stands in
    expect((await api('PUT', `/cameras/${cam}/detector`, { body: { minScore: 0.9, masks: [mask], countRegion: LEFT_HALF } })).status).toBe(200);
    const { stdout } = await cli(['--camera', cam, '--labels', await labels(THREE)]);
    const lines = stdout.split('\n');
    expect(lines.find((l) => /^image\s+truth\s+defaults\s+fitted\s+held-out$/.test(l)), stdout).toBeDefined();
    for (const { file, count } of THREE) {
      expect(lines.find((l) => new RegExp(`^${file.replace('.', '\\.')}\\s+${count}\\s+\\d+\\s+\\d+\\s+\\d+$`).test(l)), `${file} row:\n${stdout}`).toBeDefined();
    }
    expect(stdout).toMatch(/^MAE\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d$/m);
    expect(stdout).toMatch(/^mean rel\. error\s+[\d.]+%\s+[\d.]+%\s+[\d.]+%$/m);
    expect(stdout).toMatch(/^fitted: minScore /m);
    expect(stdout).toMatch(new RegExp(`stored for camera ${cam}`));

    const got = (await detector(cam)).json;
    expect(got.settings).toMatchObject({
      minScore: expect.any(Number), crowdMinScore: expect.any(Number), crowdFrom: expect.any(Number), crowdScale: expect.any(Number),
      iou: expect.any(Number), ignoreTopEdge: expect.any(Boolean), masks: [mask], countRegion: LEFT_HALF,
    });
    expect(got.settings.minScore).not.toBe(0.9); // the fit replaced the old threshold (0.9 is outside its grid)
    // What the CLI printed as fitted is what is stored.
    expect(stdout).toContain(`fitted: minScore ${got.settings.minScore},`);
  });

  it('--dry-run stores nothing; bad labels exit 1 with a clear message', async () => {
    const cam = `det-calib-dry-${run}`;
    const { stdout } = await cli(['--camera', cam, '--labels', await labels(THREE, 'dry.json'), '--dry-run']);
    expect(stdout).toMatch(/dry run: nothing stored/);
    expect((await detector(cam)).json.settings).toEqual({});

    const two = await fails(['--camera', cam, '--labels', await labels(THREE.slice(0, 2), 'two.json')]);
    expect(two?.code).toBe(1);
    expect(two?.stderr).toMatch(/at least 3 labelled images/);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ "images": [ ');
    const bad = await fails(['--camera', cam, '--labels', broken]);
    expect(bad?.code).toBe(1);
    expect(bad?.stderr).toMatch(/not valid JSON/);
    const missing = await fails(['--camera', cam, '--labels', await labels([...THREE.slice(0, 2), { file: 'no-such.jpg', count: 1 }], 'missing.json')]);
    expect(missing?.code).toBe(1);
    expect(missing?.stderr).toMatch(/no-such\.jpg.*does not exist/);
    expect((await detector(cam)).json.settings).toEqual({});
  });
});
