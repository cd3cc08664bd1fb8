import { describe, expect, it } from 'vitest';
import { aggregate, countsQuery } from '../../../shared/photos/counts.js';
import { reportOf, type PhotoRecord } from '../../../shared/photos/records.js';

describe('counts ?region=true (issue 12 §6)', () => {
  it('region is a true/false flag, off by default; anything else is a 400', () => {
    expect(countsQuery.parse({}).region).toBe(false);
    expect(countsQuery.parse({ region: 'true' }).region).toBe(true);
    expect(countsQuery.parse({ region: 'false' }).region).toBe(false);
    const bad = countsQuery.safeParse({ region: 'yes' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['region'], message: 'region must be true or false' });
  });

  it('the region series aggregates numInRegion the same way (avg, max, min per bucket)', () => {
    const T = Date.UTC(2030, 0, 1, 8, 0, 0);
    const region = [{ callTime: T, numInRegion: 1 }, { callTime: T + 60_000, numInRegion: 4 }, { callTime: T + 300_000, numInRegion: 0 }];
    expect(aggregate(region.map((s) => ({ callTime: s.callTime, numOfPeople: s.numInRegion })), 300_000)).toEqual([
      { start: new Date(T).toISOString(), photos: 2, avg: 2.5, max: 4, min: 1 },
      { start: new Date(T + 300_000).toISOString(), photos: 1, avg: 0, max: 0, min: 0 },
    ]);
  });

  it('the report carries both counts when the camera has a region, only numOfPeople otherwise', () => {
    const rec = {
      pk: 'photo#7', id: 7, cameraCode: 'c', photoUrl: 'http://x/p.jpg', callTime: Date.UTC(2030, 0, 1), callTimeIso: '2030-01-01T00:00:00.000Z',
      createdAt: '2030-01-01T00:00:01.000Z', stage: 'report', numOfPeople: 2, analysed: true, analysedAt: '2030-01-01T00:00:02.000Z',
    } as unknown as PhotoRecord;
    expect(reportOf({ ...rec, numInRegion: 1 })).toMatchObject({ numOfPeople: 2, numInRegion: 1 });
    expect(reportOf({ ...rec, numInRegion: 0 })).toMatchObject({ numOfPeople: 2, numInRegion: 0 });
    expect(reportOf(rec)).not.toHaveProperty('numInRegion');
  });
});
