import '../../support/env.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { s3 } from '../../../shared/platform/aws.js';
import { api, eventually } from '../../support/http.js';
import { announce, controlReceiver, fixtureUrl, hits, peers, record, reportsFor, settle, unique, type HandCounts } from './helpers.js';
import { resource } from '../../support/names.js';

const hand = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../fixtures/people-counts.json'), 'utf8')) as HandCounts;
const FIXTURES = Object.keys(hand.images);

beforeAll(async () => {
  await controlReceiver(0);
});

describe('photo pipeline: intake → download → analyse → report', () => {
  it('N photos in → N reports out, counts within tolerance of the hand counts', async () => {
    const cam = `scenic-${unique()}`;
    const base = Date.now() - 10 * 60_000;
    const photos = FIXTURES.flatMap((name, i) => [0, 1].map((copy) => ({ name, callTime: base + (i * 2 + copy) * 60_000, photoUrl: fixtureUrl(name) })));
    const ids = await Promise.all(photos.map((p) => announce({ photoUrl: p.photoUrl, cameraCode: cam, callTime: p.callTime })));
    const records = await Promise.all(ids.map((id) => settle(id, undefined, 180_000)));

    const errors: number[] = [];
    for (const [i, r] of records.entries()) {
      const p = photos[i]!;
      expect(r.status, `${p.name}: ${r.failReason ?? ''}`).toBe('done');
      expect(r).toMatchObject({ downloaded: true, analysed: true, reported: true, analysedBy: 'detector' });
      // The person engine's model id and its weights' licence (shared/vision/persons/engines.ts).
      expect(r.model).toEqual(expect.stringMatching(/\S/));
      expect(r.licence).toMatch(/^[A-Za-z0-9.+-]+$/);
      expect(r.detections).toHaveLength(r.numOfPeople);
      expect(r.inferenceMs).toBeGreaterThan(0);
      expect(r.s3Key).toMatch(new RegExp(`^photos/${cam}/\\d{4}/\\d{2}/\\d{2}/${r.id}\\.(jpg|png)$`));
      await s3().send(new HeadObjectCommand({ Bucket: resource('photosMedia'), Key: r.s3Key }));
      const truth = hand.images[p.name]!.count;
      const tolerance = Math.max(1, Math.ceil(0.25 * truth));
      expect(Math.abs(r.numOfPeople - truth), `${p.name}: ${r.numOfPeople} vs ${truth}`).toBeLessThanOrEqual(tolerance);
      errors.push(Math.abs(r.numOfPeople - truth));

      const reports = await reportsFor(r.id);
      expect(reports.length).toBeGreaterThanOrEqual(1);
      const body = JSON.parse(reports[0]!.body);
      expect(body).toEqual({ id: r.id, cameraCode: cam, photoUrl: p.photoUrl, callTime: new Date(p.callTime).toISOString(), numOfPeople: r.numOfPeople, analyzedAt: r.analysedAt, model: r.model, licence: r.licence });
      expect(reports[0]!.headers['idempotency-key']).toBe(`photo-${r.id}`);
    }
    const mae = errors.reduce((s, e) => s + e, 0) / errors.length;
    console.log(`people count MAE over ${errors.length} photos: ${mae.toFixed(2)} (${records.map((r, i) => `${photos[i]!.name}=${r.numOfPeople}/${hand.images[photos[i]!.name]!.count}`).join(', ')})`);
    expect(mae).toBeLessThanOrEqual(1);

    // What a scenic area watches: the count per 5 minutes for this camera.
    const from = new Date(base - 60_000).toISOString();
    const c = await api('GET', `/cameras/${cam}/counts?from=${encodeURIComponent(from)}&bucket=5m`);
    expect(c.status).toBe(200);
    expect(c.json.photos).toBe(photos.length);
    expect(c.json.series.reduce((s: number, b: { photos: number }) => s + b.photos, 0)).toBe(photos.length);
    for (const b of c.json.series) expect(b.max).toBeGreaterThanOrEqual(b.avg);
    const whole = await api('GET', `/cameras/${cam}/counts?from=${encodeURIComponent(from)}&bucket=1h`);
    const total = records.reduce((s, r) => s + r.numOfPeople, 0);
    const sum = whole.json.series.reduce((s: number, b: { avg: number; photos: number }) => s + b.avg * b.photos, 0);
    expect(sum).toBeCloseTo(total, 0);
    expect(Math.max(...whole.json.series.map((b: { max: number }) => b.max))).toBe(Math.max(...records.map((r) => r.numOfPeople)));
  });

  it('callback POST /photos/{id}/result: sets analysed and reports; idempotent; 404/400/409', async () => {
    // A source nobody answers: the download keeps failing while the external analyser posts its count.
    const id = await announce({ photoUrl: `${peers().photoUnreachable}/cam/${unique()}.jpg`, cameraCode: `cb-${unique()}` });
    const r1 = await api('POST', `/photos/${id}/result`, { body: { numOfPeople: 4, model: 'seed-python-script', detections: [{ box: [1, 2, 3, 4], score: 0.9 }] } });
    expect(r1.status).toBe(200);
    expect(r1.json).toEqual({ status: 'success', id, numOfPeople: 4 });
    const done = await settle(id, (r) => r.reported);
    expect(done).toMatchObject({ analysed: true, numOfPeople: 4, model: 'seed-python-script', analysedBy: 'callback' });
    const again = await api('POST', `/photos/${id}/result`, { body: { numOfPeople: 4 } });
    expect(again.status).toBe(200);
    expect(again.json.duplicate).toBe(true);
    expect((await api('POST', `/photos/${id}/result`, { body: { numOfPeople: 5 } })).status).toBe(409);
    expect((await api('POST', '/photos/999999999999/result', { body: { numOfPeople: 1 } })).status).toBe(404);
    for (const body of [{}, { numOfPeople: -1 }, { numOfPeople: 1.5 }, { numOfPeople: '3' }, { numOfPeople: 1, detections: [{ box: [1, 2], score: 0.5 }] }]) {
      const bad = await api('POST', `/photos/${id}/result`, { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api('POST', `/photos/${id}/result`, { body: { numOfPeople: 1 }, key: null })).status).toBe(401);
    expect(await reportsFor(id)).toHaveLength(1);
  });

  it('remote server 2 answers 500 three times → reported exactly once; every attempt had the same Idempotency-Key', async () => {
    await controlReceiver(3, 500);
    const id = await announce({ photoUrl: fixtureUrl('basketball1.png'), cameraCode: `r500-${unique()}` });
    const r = await settle(id);
    expect(r.status).toBe('done');
    const attempts = await reportsFor(id);
    expect(attempts.map((a) => a.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(attempts.map((a) => a.headers['idempotency-key']))).toEqual(new Set([`photo-${id}`]));
    expect(r.reported).toBe(true);
    expect(r.attempts.report).toBe(4);
    expect(r.lastError.report).toBe('http_500');
    // Stays reported once: no further attempts arrive.
    await new Promise((res) => setTimeout(res, 3000));
    expect(await reportsFor(id)).toHaveLength(4);
    expect((await record(id)).reportedAt).toBe(r.reportedAt);
  });

  it('unreachable, 404, text, 25 MB and metadata URLs → failed with a reason, no retry storm', async () => {
    const tag = unique();
    const cases = [
      { what: 'unreachable', url: `${peers().photoUnreachable}/x.jpg?t=${tag}`, reason: /^gave up after 4 attempts: network/, maxHits: 0 },
      { what: '404', url: `${peers().photoFiles}/missing.jpg?t=${tag}`, reason: /^http_404/, maxHits: 1 },
      { what: 'text file', url: `${peers().photoFiles}/text.txt?t=${tag}`, reason: /^not_an_image/, maxHits: 1 },
      { what: 'text served as image/jpeg', url: `${peers().photoFiles}/fake.jpg?t=${tag}`, reason: /^not_an_image/, maxHits: 1 },
      { what: '25 MB', url: `${peers().photoFiles}/huge.jpg?t=${tag}`, reason: /^too_large/, maxHits: 1 },
      { what: '25 MB, chunked', url: `${peers().photoFiles}/huge-chunked.jpg?t=${tag}`, reason: /^too_large/, maxHits: 1 },
      { what: 'metadata', url: `http://169.254.169.254/latest/meta-data/iam/?t=${tag}`, reason: /^blocked: .*169\.254\.169\.254/, maxHits: 0 },
      { what: 'redirect to metadata', url: `${peers().photoFiles}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}&t=${tag}`, reason: /^blocked/, maxHits: 1 },
    ];
    const ids = await Promise.all(cases.map((c) => announce({ photoUrl: c.url, cameraCode: `fail-${tag}` })));
    const records = await Promise.all(ids.map((id) => settle(id, undefined, 120_000)));
    for (const [i, c] of cases.entries()) {
      const r = records[i]!;
      expect(r.status, c.what).toBe('failed');
      expect(r.failedStage, c.what).toBe('download');
      expect(r.failReason, c.what).toMatch(c.reason);
      expect(r.downloaded, c.what).toBe(false);
      if (c.what === 'unreachable') expect(r.attempts.download).toBe(4);
      else expect(r.attempts.download, c.what).toBe(1);
      if (c.maxHits) expect(await hits(c.url), c.what).toBeLessThanOrEqual(c.maxHits);
    }
    // No retries after failing: the counts stay put.
    await new Promise((res) => setTimeout(res, 4000));
    for (const [i, c] of cases.entries()) {
      const r = await record(ids[i]!);
      expect(r.attempts.download, c.what).toBe(records[i]!.attempts.download);
      if (c.maxHits) expect(await hits(c.url), c.what).toBeLessThanOrEqual(c.maxHits);
    }
  });

  it('a transient 503 from the file server is retried with backoff, then succeeds', async () => {
    const key = unique();
    const url = `${peers().photoFiles}/flaky/messi5.jpg?key=${key}&fail=2`;
    const id = await announce({ photoUrl: url, cameraCode: `flaky-${key}` });
    const r = await settle(id);
    expect(r.status).toBe('done');
    expect(r.attempts.download).toBe(3);
    expect(r.lastError.download).toBe('http_503');
    expect(await hits(url)).toBe(3);
  });

  it('GET /photos?pending=… lists ids still waiting at a stage', async () => {
    const r = await api('GET', '/photos?pending=report&within=60m');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ stage: 'report', count: expect.any(Number), ids: expect.any(Array) });
    expect((await api('GET', '/photos?pending=nope')).status).toBe(400);
  });
});

void eventually;
