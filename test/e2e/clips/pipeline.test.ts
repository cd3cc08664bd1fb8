import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../../shared/platform/aws.js';
import { send } from '../../../shared/platform/sqs/queues.js';
import { api, eventually } from '../../support/http.js';
import { clipsOf, failWebhook, prepareClipMedia, probeUrl, remux, uploadClip, webhookRequests, type ClipMedia } from './helpers.js';
import { resource } from '../../support/names.js';

/**
 * The clip pipeline end to end on the local stack: clips uploaded to S3 as one camera → dispatch →
 * inference (the shared person detector) → tracking + rules → alarms → replay → webhook.
 *
 * Camera e2e-zone: 2 grey clips, the 6 fixture clips (30 s of a campus path), 3 grey clips, so
 * every replay window (start ± 15 s) of an incident in the fixture has footage. The zone is the left
 * part of the path (people walk through it around 18–30 s into the fixture).
 * Camera e2e-push: 2 fixture clips under a crowding rule (≥ 1 person anywhere: one episode), and a
 * webhook that answers 500 three times. Its replay window is never complete: it is pushed after the
 * local stage's wait bound with replayComplete false.
 */
const run = Date.now().toString(36);
const CAM = `e2e-zone-${run}`;
const CAM2 = `e2e-push-${run}`;
const T0 = Math.floor((Date.now() - 10 * 60_000) / 1000) * 1000;
const ZONE = [[0, 200], [200, 200], [200, 290], [0, 290]];

let media: ClipMedia;
let uploadsMain: Promise<void>;
let uploadsPush: Promise<void>;
const mainClips: Array<{ startMs: number; path: () => string }> = [];

interface Alarm {
  alarmId: string;
  cameraId: string;
  rule: string;
  incidentKey: string;
  startedAt: string;
  endedAt: string;
  trackIds: number[];
  pushStatus: string | null;
  replayComplete: boolean | null;
}

async function alarmsOf(cameraId: string): Promise<Alarm[]> {
  const items: Alarm[] = [];
  let cursor: string | null = null;
  do {
    const r = await api('GET', `/alarms?cameraId=${cameraId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(r.status).toBe(200);
    items.push(...r.json.items);
    cursor = r.json.nextCursor;
  } while (cursor);
  return items;
}

async function allTracked(cameraId: string, n: number) {
  const clips = await clipsOf(cameraId);
  return clips.length === n && clips.every((c) => c.trackedAt) && clips;
}

beforeAll(async () => {
  media = await prepareClipMedia();
  let r = await api('PUT', `/cameras/${CAM}/rules`, { body: { rules: [{ id: 'path-left', type: 'zone', name: 'left part of the path', polygon: ZONE }] } });
  expect(r.status).toBe(200);
  r = await api('PUT', `/cameras/${CAM2}/rules`, { body: { rules: [{ id: 'anyone', type: 'crowding', polygon: [[0, 0], [767, 0], [767, 575], [0, 575]], minCount: 1, seconds: 0 }] } });
  expect(r.status).toBe(200);
  await failWebhook(CAM2, 3);

  mainClips.push({ startMs: T0 - 10_000, path: () => media.pad }, { startMs: T0 - 5000, path: () => media.pad });
  media.fixture.forEach((_, i) => mainClips.push({ startMs: T0 + i * 5000, path: () => media.fixture[i]! }));
  for (const s of [30_000, 35_000, 40_000]) mainClips.push({ startMs: T0 + s, path: () => media.pad });
  uploadsMain = (async () => {
    for (const c of mainClips) await uploadClip(CAM, c.startMs, c.path());
  })();
  uploadsPush = (async () => {
    await uploadClip(CAM2, T0 + 10_000, media.fixture[2]!);
    await uploadClip(CAM2, T0 + 15_000, media.fixture[3]!);
  })();
  // Awaited by the tests; keep a failure here from being reported as unhandled first.
  uploadsMain.catch(() => undefined);
  uploadsPush.catch(() => undefined);
}, 120_000);

afterAll(async () => {
  if (media) await rm(media.dir, { recursive: true, force: true });
});

describe('rules API', () => {
  it('stores and returns a valid rule set', async () => {
    const r = await api('GET', `/cameras/${CAM}/rules`);
    expect(r.status).toBe(200);
    expect(r.json.rules, r.text).toEqual([{ id: 'path-left', type: 'zone', name: 'left part of the path', polygon: ZONE }]);
    expect((await api('GET', '/cameras/never-seen-camera/rules')).status).toBe(404);
  });

  it('refuses bad rules with 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ rules: [{ id: 'z', type: 'zone', polygon: [[0, 0], [100, 100], [100, 0], [0, 100]] }] }, 'body.rules.0.polygon'], // self-intersecting
      [{ rules: [{ id: 'z', type: 'zone', polygon: [] }] }, 'body.rules.0.polygon'], // empty
      [{ rules: [{ id: 'z', type: 'teleport', polygon: ZONE }] }, 'body.rules.0.type'], // unknown type
      [{ rules: [{ id: 'z', type: 'loitering', polygon: ZONE, seconds: -5 }] }, 'body.rules.0.seconds'], // negative seconds
      [{ rules: [{ id: 'c', type: 'crowding', polygon: ZONE, minCount: 2, seconds: -1 }] }, 'body.rules.0.seconds'],
      [{ rules: [{ id: 'l', type: 'line', from: [0, 0], to: [0, 0], direction: 'any' }] }, 'body.rules.0.to'],
      [{ rulez: [] }, 'body'],
    ];
    for (const [body, path] of cases) {
      const r = await api('PUT', `/cameras/${CAM}/rules`, { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error).toBe('ValidationError');
      expect(r.json.details.map((d: { path: string }) => d.path), JSON.stringify(r.json)).toContain(path);
    }
    expect((await api('PUT', `/cameras/${CAM}/rules`, { rawBody: 'not json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await api('PUT', `/cameras/${CAM}/rules`, { body: { rules: [] }, key: null })).status).toBe(401);
    expect((await api('PUT', '/cameras/bad%20id/rules', { body: { rules: [] } })).status).toBe(400);
    // The stored set is untouched by the refused ones.
    expect((await api('GET', `/cameras/${CAM}/rules`)).json.rules[0].id).toBe('path-left');
  });
});

describe('zone alarms', () => {
  let alarms: Alarm[] = [];

  it('push one alarm per incident to the webhook, each with a 25–35 s MP4 replay', async () => {
    await uploadsMain;
    const clips = await eventually(() => allTracked(CAM, mainClips.length), 'every clip tracked', 240_000, 1000);
    expect(clips.every((c) => !c.error)).toBe(true);
    alarms = await eventually(async () => {
      const a = await alarmsOf(CAM);
      return a.length > 0 && a.every((x) => x.pushStatus === 'delivered') && a;
    }, 'alarms delivered', 180_000, 1000);

    // One alarm per incident: distinct incidents, and for a zone one incident per track.
    expect(new Set(alarms.map((a) => a.incidentKey)).size).toBe(alarms.length);
    expect(new Set(alarms.map((a) => a.trackIds[0])).size).toBe(alarms.length);
    expect(alarms.length).toBeLessThanOrEqual(8);

    const requests = await webhookRequests(CAM);
    const delivered = requests.filter((q) => q.status === 200).map((q) => ({ q, body: JSON.parse(q.body) }));
    expect(delivered.map((d) => d.body.alarmId).sort()).toEqual(alarms.map((a) => a.alarmId).sort());
    for (const { q, body } of delivered) {
      expect(q.headers['idempotency-key']).toBe(body.alarmId);
      expect(Object.keys(body)).toEqual(expect.arrayContaining(['alarmId', 'cameraId', 'rule', 'startedAt', 'endedAt', 'trackIds', 'snapshotUrl', 'replayUrl', 'replayComplete']));
      expect(body).toMatchObject({ cameraId: CAM, rule: 'path-left' });
      expect(Date.parse(body.endedAt)).toBeGreaterThanOrEqual(Date.parse(body.startedAt));
      // Every window of an incident in the fixture is covered by the uploaded footage.
      expect(body.replayComplete).toBe(true);
      const replay = await probeUrl(body.replayUrl, media.dir);
      expect(replay.durationSec, body.alarmId).toBeGreaterThanOrEqual(25);
      expect(replay.durationSec, body.alarmId).toBeLessThanOrEqual(35);
      const snap = Buffer.from(await (await fetch(body.snapshotUrl)).arrayBuffer());
      expect(snap.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }

    const one = await api('GET', `/alarms/${alarms[0]!.alarmId}`);
    expect(one.status).toBe(200);
    expect(one.json).toMatchObject({ alarmId: alarms[0]!.alarmId, pushStatus: 'delivered', replayComplete: true });
    expect(one.json.pushes).toHaveLength(1);
    expect((await probeUrl(one.json.replayUrl, media.dir)).durationSec).toBeGreaterThanOrEqual(25);
    expect((await api('GET', '/alarms/al_000000000000000000000000')).status).toBe(404);
    expect((await api('GET', `/alarms?cameraId=${CAM}&cursor=garbage`)).status).toBe(400);
    expect((await api('GET', '/alarms')).status).toBe(400);
  });

  it('a track id survives a clip boundary', async () => {
    const clips = (await clipsOf(CAM)).filter((c) => c.startMs >= T0 && c.startMs < T0 + 30_000);
    expect(clips).toHaveLength(6);
    const carried = clips.slice(1).flatMap((c, i) => {
      const before = new Set(clips[i]!.tracks.map((t) => t.trackId));
      return c.tracks.filter((t) => before.has(t.trackId)).map((t) => ({ trackId: t.trackId, boundary: c.startMs }));
    });
    expect(carried.length, JSON.stringify(clips.map((c) => c.tracks.map((t) => t.trackId)))).toBeGreaterThan(0);
  });

  it('the same clip uploaded twice raises no second alarm', async () => {
    expect(alarms.length).toBeGreaterThan(0);
    const before = (await webhookRequests(CAM)).length;
    const clip3 = mainClips[2 + 3]!;
    const clip2 = mainClips[2 + 2]!;
    // Byte-identical: the dispatcher recognises the object and does not analyse it again.
    await uploadClip(CAM, clip3.startMs, clip3.path(), { uploads: 2 });
    // Different bytes, same clip: analysed again, but the tracker ignores frames it has seen.
    await uploadClip(CAM, clip2.startMs, await remux(clip2.path(), media.dir), { uploads: 2 });
    const again = await eventually(async () => {
      const c = (await clipsOf(CAM)).find((x) => x.startMs === clip2.startMs);
      return c?.ignoredAt ? c : undefined;
    }, 're-uploaded clip analysed again and found old', 120_000, 500);
    expect(again.tracks.length).toBeGreaterThan(0); // the first analysis' summary is kept
    await new Promise((r) => setTimeout(r, 3000));
    const after = await alarmsOf(CAM);
    expect(after.map((a) => a.alarmId).sort()).toEqual(alarms.map((a) => a.alarmId).sort());
    expect((await webhookRequests(CAM)).length).toBe(before);
  });
});

describe('results too big for a message', () => {
  it('are read from S3 through the pointer and tracked', async () => {
    const cam = `e2e-ref-${run}`;
    const key = `results/${cam}/${T0}-test.json`;
    const frames = Array.from({ length: 10 }, (_, i) => ({ tsMs: T0 + i * 500, detections: [{ box: [100 + 30 * i, 200, 30, 80], score: 0.8 }] }));
    const result = { v: 1, cameraId: cam, key: `${cam}/${T0}.mp4`, startMs: T0, etag: 'x', durationMs: 5000, width: 768, height: 576, fps: 2, model: 'test', frames };
    await s3().send(new PutObjectCommand({ Bucket: resource('clipArtifacts'), Key: key, Body: JSON.stringify(result) }));
    await send(resource('clipResultsFifo'), { body: { v: 1, cameraId: cam, key: result.key, startMs: T0, etag: 'x', ref: { key } }, groupId: cam, dedupId: `ref-${run}` });
    const clip = await eventually(async () => (await clipsOf(cam)).find((c) => c.trackedAt), 'pointer results tracked', 120_000, 500);
    expect(clip.tracks.map((t) => t.trackId)).toEqual([1]);
  });
});

describe('webhook failures', () => {
  it('a webhook answering 500 three times gets the alarm once, and every attempt is recorded', async () => {
    await uploadsPush;
    await eventually(() => allTracked(CAM2, 2), 'push-camera clips tracked', 240_000, 1000);
    const alarms = await eventually(async () => {
      const a = await alarmsOf(CAM2);
      return a.length > 0 && a.every((x) => x.pushStatus === 'delivered') && a;
    }, 'alarm delivered after retries', 240_000, 1000);
    expect(alarms).toHaveLength(1); // one crowding episode: someone is always in view
    const alarm = alarms[0]!;
    const requests = (await webhookRequests(CAM2)).filter((q) => q.headers['idempotency-key'] === alarm.alarmId);
    expect(requests.map((q) => q.status)).toEqual([500, 500, 500, 200]);
    // Nothing before the first clip and after the last: pushed after the wait bound, incomplete.
    expect(JSON.parse(requests[3]!.body)).toMatchObject({ alarmId: alarm.alarmId, replayComplete: false });
    const detail = await api('GET', `/alarms/${alarm.alarmId}`);
    expect(detail.json.pushes.map((p: { ok: boolean; httpStatus: number }) => [p.ok, p.httpStatus])).toEqual([[false, 500], [false, 500], [false, 500], [true, 200]]);
    expect(detail.json.pushes.map((p: { attempt: number }) => p.attempt)).toEqual([1, 2, 3, 4]);
    expect(detail.json).toMatchObject({ pushStatus: 'delivered', pushAttempts: 4, replayComplete: false });
    const replay = await probeUrl(detail.json.replayUrl, media.dir);
    expect(replay.durationSec).toBeGreaterThan(5);
  });
});
