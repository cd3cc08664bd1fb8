import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { api } from '../../support/http.js';
import { fixtureUrl, recordsWith, unique } from './helpers.js';

const now = () => new Date().toISOString();

describe('POST /photos (intake)', () => {
  it('needs the API key', async () => {
    const marker = unique();
    const r = await api('POST', '/photos', { key: null, body: { photoUrl: fixtureUrl('messi5.jpg', marker), cameraCode: 'c1', callTime: now() } });
    expect(r.status).toBe(401);
    expect(await recordsWith(marker)).toEqual([]);
  });

  it('accepts one photo: 202 with an integer id; GET /photos/{id} shows the record', async () => {
    const cam = `cam-${unique()}`;
    const photoUrl = fixtureUrl('messi5.jpg');
    const callTime = Date.now() - 60_000;
    const r = await api('POST', '/photos', { body: { photoUrl, cameraCode: cam, callTime } });
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ status: 'success', id: expect.any(Number) });
    expect(Number.isSafeInteger(r.json.id)).toBe(true);
    const g = await api('GET', `/photos/${r.json.id}`);
    expect(g.status).toBe(200);
    expect(g.json).toMatchObject({ id: r.json.id, cameraCode: cam, photoUrl, callTime: new Date(callTime).toISOString() });
    expect(g.json.attempts).toBeDefined();
  });

  it('the same (cameraCode, photoUrl, callTime) again → the same id, one record', async () => {
    const cam = `cam-${unique()}`;
    const photoUrl = fixtureUrl('basketball1.png');
    const t = Date.now() - 120_000;
    const a = await api('POST', '/photos', { body: { photoUrl, cameraCode: cam, callTime: t } });
    const b = await api('POST', '/photos', { body: { photoUrl, cameraCode: cam, callTime: new Date(t).toISOString() } });
    const [c, d] = await Promise.all([1, 2].map(() => api('POST', '/photos', { body: { photoUrl, cameraCode: cam, callTime: t } })));
    expect(a.status).toBe(202);
    expect([b.json.id, c!.json.id, d!.json.id]).toEqual([a.json.id, a.json.id, a.json.id]);
    expect(b.json.duplicate).toBe(true);
    const other = await api('POST', '/photos', { body: { photoUrl, cameraCode: cam, callTime: t + 1000 } });
    expect(other.json.id).not.toBe(a.json.id);
    const records = (await recordsWith(cam)).filter((i) => String(i.pk).startsWith('photo#'));
    expect(records).toHaveLength(2);
  });

  it('arrays: one answer per item; invalid items get their own error (207), duplicates share ids', async () => {
    const cam = `cam-${unique()}`;
    const p1 = { photoUrl: fixtureUrl('messi5.jpg'), cameraCode: cam, callTime: now() };
    const p2 = { photoUrl: fixtureUrl('basketball2.png'), cameraCode: cam, callTime: now() };
    const all = await api('POST', '/photos', { body: [p1, p2, p1] });
    expect(all.status).toBe(202);
    expect(all.json).toHaveLength(3);
    expect(all.json[0]).toEqual({ status: 'success', id: expect.any(Number) });
    expect(all.json[2].id).toBe(all.json[0].id);
    expect(all.json[1].id).not.toBe(all.json[0].id);

    const mixed = await api('POST', '/photos', { body: [{ ...p1, callTime: Date.now() - 5000 }, { ...p2, cameraCode: 'bad code!' }] });
    expect(mixed.status).toBe(207);
    expect(mixed.json[0].status).toBe('success');
    expect(mixed.json[1]).toMatchObject({ status: 'error', details: [{ path: 'body.1.cameraCode' }] });
  });

  it('bad payloads → 400 naming the field, nothing written', async () => {
    const marker = unique();
    const ok = { photoUrl: fixtureUrl('messi5.jpg', marker), cameraCode: `cam-${marker}`, callTime: now() };
    const cases: Array<[string, { body?: unknown; rawBody?: string }, string]> = [
      ['missing photoUrl', { body: { ...ok, photoUrl: undefined } }, 'body.photoUrl'],
      ['missing callTime', { body: { ...ok, callTime: undefined } }, 'body.callTime'],
      ['wrong type', { body: { ...ok, cameraCode: 12345 } }, 'body.cameraCode'],
      ['unknown camera format', { body: { ...ok, cameraCode: `cam ${marker}/x` } }, 'body.cameraCode'],
      ['not http(s)', { body: { ...ok, photoUrl: `file:///etc/passwd?${marker}` } }, 'body.photoUrl'],
      ['callTime far in the future', { body: { ...ok, callTime: Date.now() + 3_600_000 } }, 'body.callTime'],
      ['1 MB body', { rawBody: JSON.stringify({ ...ok, pad: 'x'.repeat(1024 * 1024) }) }, 'body'],
      ['non-JSON', { rawBody: `photoUrl=${marker}` }, 'body'],
      ['empty array', { body: [] }, 'body'],
      ['101 items', { body: Array.from({ length: 101 }, () => ok) }, 'body'],
      ['array of only bad items', { body: [{ ...ok, cameraCode: '' }] }, 'body.0.cameraCode'],
    ];
    for (const [what, req, path] of cases) {
      const r = await api('POST', '/photos', { ...req, headers: { 'content-type': 'application/json' } });
      expect(r.status, what).toBe(400);
      expect(r.json.status, what).toBe('error');
      expect(r.json.message, what).toBeTruthy();
      expect(r.json.details[0].path, what).toBe(path);
    }
    expect(await recordsWith(marker)).toEqual([]);
  });

  it('GET /photos/{id}: 404 for an unknown id, 400 for a malformed one', async () => {
    expect((await api('GET', '/photos/999999999999')).status).toBe(404);
    expect((await api('GET', '/photos/abc')).status).toBe(400);
  });
});
