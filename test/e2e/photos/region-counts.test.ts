import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { api, eventually } from '../../support/http.js';
import { announce, controlReceiver, fixtureUrl, reportsFor, settle, unique } from './helpers.js';

/**
 * Region counts (issue 12 §6): a camera with a countRegion (the left half of basketball1.png, where one
 * of the two players stands); its photos keep numOfPeople (whole image) and add numInRegion; the report
 * to remote server 2 carries both; GET /cameras/{cameraCode}/counts?region=true aggregates numInRegion.
 */
const LEFT_HALF = [[0, 0], [320, 0], [320, 480], [0, 480]];

interface Point { start: string; photos: number; avg: number; max: number; min: number }

describe('region counts for photos', () => {
  it('numOfPeople and numInRegion in the record and the report; counts?region=true gives the region series', async () => {
    await controlReceiver(0);
    const cam = `rgn-${unique()}`;
    const none = `rgn-none-${unique()}`;
    expect((await api('PUT', `/cameras/${cam}/detector`, { body: { countRegion: LEFT_HALF } })).status).toBe(200);
    // Times relative to the run (intake refuses callTimes far in the future); assertions do not depend on them.
    const base = Date.now() - 120_000;
    // One after the other, each retried: intake is idempotent on (cameraCode, photoUrl, callTime), and a
    // cold function on a busy machine may time out at first.
    const ids: number[] = [];
    for (const [cameraCode, callTime] of [[cam, base], [cam, base + 1000], [none, base]] as const) {
      const photo = { photoUrl: fixtureUrl('basketball1.png'), cameraCode, callTime };
      ids.push(await eventually(() => announce(photo), `intake of ${cameraCode}@${callTime}`, 90_000, 1000));
    }
    const recs = await Promise.all(ids.map((id) => settle(id, undefined, 180_000)));
    for (const r of recs) expect(r.status, r.failReason).toBe('done');
    expect(recs.slice(0, 2).map((r) => [r.numOfPeople, r.numInRegion])).toEqual([[2, 1], [2, 1]]);
    expect(recs[2].numInRegion).toBeUndefined();

    for (const r of recs.slice(0, 2)) {
      const body = JSON.parse((await eventually(async () => (await reportsFor(r.id))[0], `report of ${r.id}`)).body);
      expect(body).toMatchObject({ id: r.id, cameraCode: cam, numOfPeople: 2, numInRegion: 1 });
    }
    const plain = JSON.parse((await eventually(async () => (await reportsFor(recs[2].id))[0], 'report without region')).body);
    expect(plain).toMatchObject({ numOfPeople: 2 });
    expect(plain).not.toHaveProperty('numInRegion');

    const window = `from=${base - 1000}&to=${base + 60_000}&bucket=1h`;
    const whole = await api('GET', `/cameras/${cam}/counts?${window}`);
    const region = await api('GET', `/cameras/${cam}/counts?${window}&region=true`);
    expect(whole.status, whole.text).toBe(200);
    expect(region.status, region.text).toBe(200);
    expect(whole.json).toMatchObject({ cameraCode: cam, region: false, photos: 2 });
    expect(region.json).toMatchObject({ cameraCode: cam, region: true, photos: 2 });
    // Both photos count the same, so every bucket (the window may straddle an hour) shows it.
    expect((whole.json.series as Point[]).every((p) => p.avg === 2 && p.max === 2 && p.min === 2)).toBe(true);
    expect((region.json.series as Point[]).every((p) => p.avg === 1 && p.max === 1 && p.min === 1)).toBe(true);
    expect((region.json.series as Point[]).reduce((n, p) => n + p.photos, 0)).toBe(2);

    // A camera without a region: its photos are in the whole-photo series only.
    expect((await api('GET', `/cameras/${none}/counts?${window}`)).json.photos).toBe(1);
    expect((await api('GET', `/cameras/${none}/counts?${window}&region=true`)).json).toMatchObject({ region: true, photos: 0, series: [] });
    const bad = await api('GET', `/cameras/${cam}/counts?region=yes`);
    expect(bad.status).toBe(400);
    expect(bad.json.details[0]).toMatchObject({ path: 'query.region' });
  });
});
