import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { dedupPk } from '../../../shared/photos/records.js';
import { PhotoRepo } from '../../../shared/photos/repo.js';
import { resource } from '../../support/names.js';

const repo = new PhotoRepo(resource('photos'));
let nextId = 1_000_000_000 + Math.floor(Math.random() * 1e9);
const input = (cam: string, url = `http://x/${randomUUID()}.jpg`, at = Date.now()) => ({ cameraCode: cam, photoUrl: url, callTime: at, dedupKey: dedupPk(cam, url, at) });

describe('PhotoRepo on DynamoDB Local', () => {
  it('one triple → one id, also under concurrent creates', async () => {
    const i = input(`c-${randomUUID().slice(0, 6)}`);
    const results = await Promise.all(Array.from({ length: 12 }, () => repo.create(i, nextId++, Date.now())));
    const ids = new Set(results.map((r) => r.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const rec = await repo.get([...ids][0]!);
    expect(rec).toMatchObject({ stage: 'download', pendingStage: 'download', downloaded: false, attempts: { download: 0, analyse: 0, report: 0 } });
  });

  it('transitions only move forward; a late download does not undo an analysis', async () => {
    const { id } = await repo.create(input('fwd'), nextId++, Date.now());
    expect(await repo.markAnalysed(id, { numOfPeople: 3, by: 'callback' }, Date.now())).toBe('updated');
    expect(await repo.markAnalysed(id, { numOfPeople: 4, by: 'detector' }, Date.now())).toBe('exists');
    expect(await repo.markDownloaded(id, { bucket: 'b', key: 'k', contentType: 'image/jpeg', bytes: 9 }, Date.now())).toBe(false);
    let r = await repo.get(id);
    expect(r).toMatchObject({ stage: 'report', pendingStage: 'report', downloaded: true, analysed: true, numOfPeople: 3, s3Key: 'k' });
    expect(await repo.markFailed(id, 'download', 'late', Date.now())).toBe(false);
    expect(await repo.markReported(id, Date.now())).toBe(true);
    expect(await repo.markReported(id, Date.now())).toBe(false);
    r = await repo.get(id);
    expect(r).toMatchObject({ stage: 'done', reported: true, attempts: { report: 1 } });
    expect(r!.pendingStage).toBeUndefined();
    expect(await repo.markAnalysed(nextId++, { numOfPeople: 1, by: 'callback' }, Date.now())).toBe('missing');
  });

  it('a record failed at report is still reported by a re-driven message', async () => {
    const { id } = await repo.create(input('fail'), nextId++, Date.now());
    await repo.markAnalysed(id, { numOfPeople: 0, by: 'callback' }, Date.now());
    expect(await repo.markFailed(id, 'report', 'stuck', Date.now(), false)).toBe(true);
    expect((await repo.get(id))!.pendingStage).toBeUndefined();
    expect(await repo.markReported(id, Date.now())).toBe(true);
    expect(await repo.get(id)).toMatchObject({ stage: 'done', reported: true });
    expect((await repo.get(id))!.failReason).toBeUndefined();
  });

  it('the pending GSI lists unfinished records by stage and callTime, optionally only idle ones', async () => {
    const cam = `p-${randomUUID().slice(0, 6)}`;
    const base = Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 1e9);
    const a = await repo.create(input(cam, undefined, base), nextId++, 1000);
    const b = await repo.create(input(cam, undefined, base + 1), nextId++, Date.now());
    const c = await repo.create(input(cam, undefined, base + 2), nextId++, 1000);
    await repo.markAnalysed(c.id, { numOfPeople: 1, by: 'callback' }, 1000);
    const list = async (stage: 'download' | 'report', idle?: number) => {
      const out: number[] = [];
      for await (const p of repo.pending(stage, base, base + 10, idle)) out.push(p.id);
      return out.sort();
    };
    expect(await list('download')).toEqual([a.id, b.id].sort());
    expect(await list('download', 5000)).toEqual([a.id]);
    expect(await list('report')).toEqual([c.id]);
    expect(await repo.markRedriven(a.id, 'download', Date.now())).toBe(true);
    expect(await list('download', 5000)).toEqual([]);
    expect(await repo.markRedriven(a.id, 'report', Date.now())).toBe(false);
  });

  it('counts: analysed photos of one camera in [from, to)', async () => {
    const cam = `k-${randomUUID().slice(0, 6)}`;
    const t = Date.UTC(2002, 0, 1);
    for (const [dt, n] of [[0, 2], [60_000, 5], [120_000, undefined]] as const) {
      const { id } = await repo.create(input(cam, undefined, t + dt), nextId++, Date.now());
      if (n !== undefined) await repo.markAnalysed(id, { numOfPeople: n, by: 'callback' }, Date.now());
    }
    expect(await repo.counts(cam, t, t + 60_000)).toEqual([{ callTime: t, numOfPeople: 2 }]);
    expect((await repo.counts(cam, t, t + 180_000)).map((s) => s.numOfPeople)).toEqual([2, 5]);
  });
});
