import '../../support/env.js';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alarmsRepo } from '../../../shared/clips/alarms/store.js';
import { api, eventually } from '../../support/http.js';
import { clipsOf, prepareClipMedia, uploadClip, type ClipMedia } from './helpers.js';
import { resource } from '../../support/names.js';

/**
 * GET /alarms?rule=: the server keeps one rule's alarms and pages them with a cursor.
 *
 * Camera e2e-filter: the 6 fixture clips (30 s of a campus path) under two zone rules, `whole` (the
 * whole frame: an alarm for every track) and `path-left` (the left part of the path, as in
 * pipeline.test.ts: a few of those tracks), so the camera's alarms are of two rules, interleaved in time.
 */
const run = Date.now().toString(36);
const CAM = `e2e-filter-${run}`;
const T0 = Math.floor((Date.now() - 30 * 60_000) / 1000) * 1000;
const WHOLE = [[0, 0], [767, 0], [767, 575], [0, 575]];
const LEFT = [[0, 200], [200, 200], [200, 290], [0, 290]];

interface Alarm { alarmId: string; rule: string; startedAt: string }
let media: ClipMedia;
let all: Alarm[] = [];

/** Every page of a query, following nextCursor; the size of each page too. */
async function pages(query: string): Promise<{ items: Alarm[]; sizes: number[] }> {
  const items: Alarm[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  do {
    const r = await api('GET', `/alarms?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status, r.text).toBe(200);
    items.push(...r.json.items);
    sizes.push(r.json.items.length);
    cursor = r.json.nextCursor;
    expect(sizes.length, 'pages').toBeLessThan(200);
  } while (cursor);
  return { items, sizes };
}
const ids = (a: Alarm[]) => a.map((x) => x.alarmId);

beforeAll(async () => {
  media = await prepareClipMedia();
  const r = await api('PUT', `/cameras/${CAM}/rules`, { body: { rules: [{ id: 'whole', type: 'zone', polygon: WHOLE }, { id: 'path-left', type: 'zone', polygon: LEFT }] } });
  expect(r.status, r.text).toBe(200);
  for (const [i, f] of media.fixture.entries()) await uploadClip(CAM, T0 + i * 5000, f);
  // Alarms are raised by the tracking step: once every clip is tracked, all of them exist.
  await eventually(async () => {
    const clips = await clipsOf(CAM);
    return clips.length === media.fixture.length && clips.every((c) => c.trackedAt);
  }, 'every clip tracked', 300_000, 1000);
  all = (await pages(`cameraId=${CAM}&limit=100`)).items;
}, 420_000);

afterAll(async () => {
  if (media) await rm(media.dir, { recursive: true, force: true });
});

describe('GET /alarms?rule=', () => {
  it('returns only that rule’s alarms, newest first, paged with a cursor', async () => {
    const whole = all.filter((a) => a.rule === 'whole');
    const left = all.filter((a) => a.rule === 'path-left');
    expect(whole.length, JSON.stringify(all)).toBeGreaterThanOrEqual(2);
    expect(left.length, JSON.stringify(all)).toBeGreaterThanOrEqual(1);
    expect(whole.length + left.length).toBe(all.length);

    // One per page: every page after the first resumes from a cursor, past the other rule's alarms.
    for (const [rule, expected] of [['whole', whole], ['path-left', left]] as const) {
      const got = await pages(`cameraId=${CAM}&rule=${rule}&limit=1`);
      expect(ids(got.items), rule).toEqual(ids(expected));
      expect(got.sizes.every((n) => n === 1), `${rule}: ${got.sizes.join(',')}`).toBe(true);
    }
    // A full page of matches: all of them, no cursor.
    const one = await api('GET', `/alarms?cameraId=${CAM}&rule=whole&limit=100`);
    expect(ids(one.json.items)).toEqual(ids(whole));
    expect(one.json.nextCursor).toBeNull();
    // With a time window: the key condition and the filter together.
    const to = whole[1]!.startedAt;
    const older = await pages(`cameraId=${CAM}&rule=whole&limit=2&to=${encodeURIComponent(to)}`);
    expect(ids(older.items)).toEqual(ids(whole.filter((a) => a.startedAt <= to)));
    // A rule without alarms (or one that does not exist): an empty page, not an error.
    expect((await api('GET', `/alarms?cameraId=${CAM}&rule=nobody-here`)).json).toEqual({ items: [], nextCursor: null });
  });

  it('keeps reading past non-matching alarms within a bounded budget, and the cursor resumes', async () => {
    // The store with a budget of one read of one alarm per request (the API's is larger than this
    // camera; a read is never smaller than the page's limit, hence limit 1): pages run short, even
    // empty, but carry on; together they are exactly the rule's alarms.
    const { listAlarms } = alarmsRepo({ CLIPS_ALARMS_TABLE: resource('alarms'), CLIPS_ALARM_RETENTION_DAYS: 30 });
    const got: string[] = [];
    const sizes: number[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await listAlarms({ cameraId: CAM, fromMs: 0, toMs: 8.64e15, limit: 1, ruleId: 'path-left', budget: { items: 1, reads: 1 }, ...(cursor ? { cursor } : {}) });
      got.push(...page.items.map((a) => a.alarmId));
      sizes.push(page.items.length);
      cursor = page.last;
    } while (cursor && sizes.length < 500);
    expect(got).toEqual(ids(all.filter((a) => a.rule === 'path-left')));
    expect(sizes).toContain(0);
    expect(sizes.length).toBeGreaterThanOrEqual(all.length);
  });

  it('refuses a bad rule or a cursor of another camera with 400 naming the field', async () => {
    for (const bad of ['bad%20id', '', 'a%23b', 'x'.repeat(65)]) {
      const r = await api('GET', `/alarms?cameraId=${CAM}&rule=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.json).toMatchObject({ status: 'error', error: 'ValidationError' });
      expect(r.json.details.map((d: { path: string }) => d.path), r.text).toContain('query.rule');
    }
    const first = await api('GET', `/alarms?cameraId=${CAM}&rule=whole&limit=1`);
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const other = await api('GET', `/alarms?cameraId=another-camera&rule=whole&cursor=${first.json.nextCursor}`);
    expect(other.status, other.text).toBe(400);
    expect(other.json.details.map((d: { path: string }) => d.path)).toContain('query.cursor');
  });
});
