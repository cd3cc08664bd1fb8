import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { dedupPk } from '../../../shared/photos/records.js';
import { PhotoRepo } from '../../../shared/photos/repo.js';
import { resource } from '../../support/names.js';

/** The sparse region index behind GET /cameras/{cameraCode}/counts?region=true. */
const repo = new PhotoRepo(resource('photos'));
let nextId = 3_000_000_000 + Math.floor(Math.random() * 1e9);
const T = Date.UTC(2032, 4, 1, 12, 0, 0); // injected times: the date of the run does not matter
const input = (cam: string, at: number) => {
  const url = `http://x/${randomUUID()}.jpg`;
  return { cameraCode: cam, photoUrl: url, callTime: at, dedupKey: dedupPk(cam, url, at) };
};

describe('region counts index', () => {
  it('photos with numInRegion are in the region series; photos without a region are not (but stay in the whole-photo series)', async () => {
    const cam = `rg-${randomUUID().slice(0, 8)}`;
    const a = await repo.create(input(cam, T), nextId++, T);
    const b = await repo.create(input(cam, T + 1000), nextId++, T);
    const c = await repo.create(input(cam, T + 2000), nextId++, T);
    expect(await repo.markAnalysed(a.id, { numOfPeople: 5, numInRegion: 2, by: 'detector' }, T + 10)).toBe('updated');
    expect(await repo.markAnalysed(b.id, { numOfPeople: 3, by: 'callback' }, T + 10)).toBe('updated');
    expect(await repo.markAnalysed(c.id, { numOfPeople: 4, numInRegion: 0, by: 'detector' }, T + 10)).toBe('updated');
    expect(await repo.counts(cam, T, T + 3000)).toEqual([
      { callTime: T, numOfPeople: 5 }, { callTime: T + 1000, numOfPeople: 3 }, { callTime: T + 2000, numOfPeople: 4 },
    ]);
    expect(await repo.regionCounts(cam, T, T + 3000)).toEqual([{ callTime: T, numInRegion: 2 }, { callTime: T + 2000, numInRegion: 0 }]);
    expect(await repo.regionCounts(cam, T + 1, T + 2000)).toEqual([]);
    expect((await repo.get(a.id))!).toMatchObject({ regionCameraCode: cam, numInRegion: 2 });
  });
});
