import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { api, eventually } from '../../support/http.js';
import { clipsOf, prepareClipMedia, uploadClip, type ClipMedia } from './helpers.js';

/**
 * Video analytics on the local stack, over the 30 s pedestrian fixture as one camera: flow counts on
 * two counting lines against an eye count (test/fixtures/pedestrian-flow.json), zone occupancy,
 * alarm grouping by cooldown, and a schedule that keeps a rule quiet while it still counts.
 */
const eye = JSON.parse(readFileSync(new URL('../../fixtures/pedestrian-flow.json', import.meta.url), 'utf8')) as {
  lines: Array<{ id: string; from: [number, number]; to: [number, number]; in: number; out: number }>;
};
const run = Date.now().toString(36);
const CAM = `e2e-flow-${run}`;
const T0 = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000;
const WALKWAY = [[0, 200], [200, 200], [200, 290], [0, 290]];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
// A day three days from the footage's: a schedule that is never active while the fixture plays.
const otherDay = DAYS[(new Date(T0).getUTCDay() + 6 + 3) % 7]!;

let media: ClipMedia;

beforeAll(async () => {
  media = await prepareClipMedia();
  expect((await api('PUT', `/cameras/${CAM}`, { body: { timezone: 'Asia/Shanghai' } })).status).toBe(200);
  const rules = [
    ...eye.lines.map((l) => ({ id: l.id, type: 'line', count: true, from: l.from, to: l.to })),
    { id: 'walk', type: 'zone', polygon: WALKWAY },
    { id: 'walk-cd', type: 'zone', polygon: WALKWAY, cooldownSeconds: 30 },
    { id: 'walk-off', type: 'zone', polygon: WALKWAY, activeHours: [{ days: [otherDay], from: '00:00', to: '24:00' }] },
  ];
  const r = await api('PUT', `/cameras/${CAM}/rules`, { body: { rules } });
  expect(r.status, r.text).toBe(200);
  for (const [i, path] of media.fixture.entries()) await uploadClip(CAM, T0 + i * 5000, path);
  await eventually(async () => {
    const clips = await clipsOf(CAM);
    return clips.length === media.fixture.length && clips.every((c) => c.trackedAt) && clips;
  }, 'every clip tracked', 300_000, 1000);
}, 420_000);

afterAll(async () => {
  if (media) await rm(media.dir, { recursive: true, force: true });
});

const range = `from=${T0 - 3_600_000}&to=${T0 + 3_600_000}`;
const total = (series: Array<{ in: number; out: number }>) =>
  series.reduce((a, b) => ({ in: a.in + b.in, out: a.out + b.out }), { in: 0, out: 0 });

interface Alarm { rule: string; incidents: number; trackIds: number[]; startedAt: string; endedAt: string }
async function alarmsOf(cameraId: string): Promise<Alarm[]> {
  const r = await api('GET', `/alarms?cameraId=${cameraId}&limit=100`);
  expect(r.status).toBe(200);
  return r.json.items;
}

describe('flow counting', () => {
  it.each(eye.lines.map((l) => [l.id, l] as const))('line %s: in and out within ±1 of the eye count', async (id, line) => {
    const r = await api('GET', `/cameras/${CAM}/flow?rule=${id}&${range}&bucket=5m`);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ cameraId: CAM, rule: id, bucket: '5m', timezone: 'Asia/Shanghai' });
    const got = total(r.json.series);
    console.log(`flow ${id}: counted in ${got.in} out ${got.out}; eye in ${line.in} out ${line.out}`);
    expect(Math.abs(got.in - line.in), JSON.stringify(got)).toBeLessThanOrEqual(1);
    expect(Math.abs(got.out - line.out), JSON.stringify(got)).toBeLessThanOrEqual(1);
    // Every crossing lies within the footage's 5-minute buckets.
    const busy = r.json.series.filter((b: { in: number; out: number }) => b.in + b.out > 0);
    for (const b of busy) expect(Date.parse(b.start)).toBeGreaterThan(T0 - 300_000);
  });

  it('a clip processed again is not counted again', async () => {
    const before = total((await api('GET', `/cameras/${CAM}/flow?rule=east&${range}`)).json.series);
    // The same bytes again: S3 fires again, the pipeline runs again, the tracker state says "seen".
    await uploadClip(CAM, T0 + 5000, media.fixture[1]!, { uploads: 2 });
    await eventually(async () => (await clipsOf(CAM)).find((c) => c.startMs === T0 + 5000 && (c.ignoredAt || c.uploads >= 2)), 'second upload seen', 120_000, 500);
    await new Promise((r) => setTimeout(r, 3000));
    const after = total((await api('GET', `/cameras/${CAM}/flow?rule=east&${range}`)).json.series);
    expect(after).toEqual(before);
  });

  it('daily buckets start at midnight in the camera time zone', async () => {
    const r = await api('GET', `/cameras/${CAM}/flow?rule=east&from=${T0 - 86_400_000}&to=${T0 + 1000}&bucket=1d`);
    expect(r.status).toBe(200);
    // Asia/Shanghai is UTC+8 all year: local midnight is 16:00 UTC.
    for (const b of r.json.series) expect(b.start).toMatch(/T16:00:00\.000Z$/);
    expect(total(r.json.series)).toEqual(total((await api('GET', `/cameras/${CAM}/flow?rule=east&${range}`)).json.series));
  });

  it('refuses bad queries with 400 naming the field, unknown cameras with 404', async () => {
    for (const [q, field] of [['', 'query.rule'], ['rule=east&bucket=2m', 'query.bucket'], ['rule=east&from=yesterday', 'query.from'], [`rule=east&from=${T0}&to=${T0 - 1}`, 'query.from'], [`rule=east&from=${T0 - 40 * 86_400_000}&to=${T0}`, 'query.from']] as const) {
      const r = await api('GET', `/cameras/${CAM}/flow?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.details.map((d: { path: string }) => d.path), r.text).toContain(field);
    }
    expect((await api('GET', `/cameras/never-${run}/occupancy?rule=walk`)).status).toBe(404);
    expect((await api('GET', `/cameras/${CAM}/flow?rule=east`, { key: null })).status).toBe(401);
  });
});

describe('occupancy', () => {
  it('the walkway zone has people in the minutes of the footage, nobody-data elsewhere is null', async () => {
    const r = await api('GET', `/cameras/${CAM}/occupancy?rule=walk&${range}&bucket=1m`);
    expect(r.status, r.text).toBe(200);
    const sampled = r.json.series.filter((b: { avg: number | null }) => b.avg !== null);
    expect(sampled.length).toBeGreaterThanOrEqual(1);
    expect(sampled.length).toBeLessThanOrEqual(2); // 30 s of footage touches one or two minutes
    expect(Math.max(...sampled.map((b: { max: number }) => b.max))).toBeGreaterThanOrEqual(1);
    for (const b of sampled) expect(b.avg).toBeLessThanOrEqual(b.max);
    expect(r.json.series.length).toBeGreaterThanOrEqual(120);
    expect(r.json.series.length).toBeLessThanOrEqual(121);
  });
});

describe('alarm control', () => {
  it('without a cooldown one alarm per track; with cooldownSeconds 30 one alarm for the 30 s of footage, holding them all', async () => {
    const alarms = await eventually(async () => {
      const a = await alarmsOf(CAM);
      return a.some((x) => x.rule === 'walk-cd') && a;
    }, 'alarms', 60_000, 500);
    const plain = alarms.filter((a) => a.rule === 'walk');
    const grouped = alarms.filter((a) => a.rule === 'walk-cd');
    console.log(`walkway zone: ${plain.length} alarms without cooldown, ${grouped.length} with cooldownSeconds 30`);
    expect(plain.length).toBeGreaterThan(1);
    expect(grouped.length).toBe(1);
    const g = grouped[0]!;
    expect(g.incidents).toBe(plain.length);
    expect(g.trackIds).toEqual([...new Set(plain.flatMap((a) => a.trackIds))].sort((a, b) => a - b));
    expect(g.startedAt).toBe(plain.map((a) => a.startedAt).sort()[0]);
    for (const a of plain) expect(a.incidents).toBe(1);
  });

  it('a rule outside its activeHours raises nothing but still counts occupancy', async () => {
    expect((await alarmsOf(CAM)).filter((a) => a.rule === 'walk-off')).toEqual([]);
    const off = await api('GET', `/cameras/${CAM}/occupancy?rule=walk-off&${range}&bucket=1h`);
    const on = await api('GET', `/cameras/${CAM}/occupancy?rule=walk&${range}&bucket=1h`);
    expect(off.json.series).toEqual(on.json.series);
  });

  it('refuses bad analytics options with 400 naming the field and keeps the stored rules', async () => {
    const zone = { id: 'z', type: 'zone', polygon: WALKWAY };
    const cases: Array<[unknown, string]> = [
      [{ rules: [{ ...zone, masks: [[[0, 0], [10, 0], [10, 10]], [[0, 0], [1, 1]]] }] }, 'body.rules.0.masks.1'],
      [{ rules: [{ ...zone, activeHours: [{ days: ['mon'], from: '8:00', to: '18:00' }] }] }, 'body.rules.0.activeHours.0.from'],
      [{ rules: [{ ...zone, activeHours: [{ days: ['someday'], from: '08:00', to: '18:00' }] }] }, 'body.rules.0.activeHours.0.days.0'],
      [{ rules: [{ ...zone, cooldownSeconds: -1 }] }, 'body.rules.0.cooldownSeconds'],
      [{ rules: [{ ...zone, minScore: 2 }] }, 'body.rules.0.minScore'],
      [{ rules: [{ ...zone, minArea: 500, maxArea: 100 }] }, 'body.rules.0.maxArea'],
      [{ rules: [{ ...zone, inertia: 1.5 }] }, 'body.rules.0.inertia'],
      [{ rules: [{ id: 'c', type: 'crowding', polygon: WALKWAY, minCount: 3, seconds: 0, clearBelow: 5 }] }, 'body.rules.0.clearBelow'],
      [{ rules: [{ id: 'l', type: 'line', from: [0, 0], to: [9, 9] }] }, 'body.rules.0.direction'],
      [{ rules: [], filters: { maxAspect: 0 } }, 'body.filters.maxAspect'],
    ];
    for (const [body, path] of cases) {
      const r = await api('PUT', `/cameras/${CAM}/rules`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.details.map((d: { path: string }) => d.path), r.text).toContain(path);
    }
    expect((await api('GET', `/cameras/${CAM}/rules`)).json.rules.map((r: { id: string }) => r.id)).toEqual(['west', 'east', 'walk', 'walk-cd', 'walk-off']);
  });
});
