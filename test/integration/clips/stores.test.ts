import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { analyseClip, createCameraState } from '../../../shared/clips/analyse.js';
import { cameraStatesRepo, clipIndexRepo } from '../../../shared/clips/store.js';
import { alarmsRepo } from '../../../shared/clips/alarms/store.js';
import { alarmIdFor } from '../../../shared/clips/alarms/records.js';
import { agentsRepo, camerasRepo } from '../../../shared/clips/registry/store.js';
import { resource } from '../../support/names.js';

/** The conditional writes the pipeline relies on, against DynamoDB Local. */
const settings = {
  CLIPS_TABLE: resource('clipIndex'),
  CLIPS_CAMERA_STATE_TABLE: resource('cameraState'),
  CLIPS_ALARMS_TABLE: resource('alarms'),
  CLIPS_CAMERAS_TABLE: resource('cameras'),
  CLIPS_AGENTS_TABLE: resource('agents'),
  CLIPS_RETENTION_DAYS: 7,
  CLIPS_ALARM_RETENTION_DAYS: 30,
  CLIPS_AGENT_RETENTION_DAYS: 7,
};
const { listClips, markDispatched, recordUpload } = clipIndexRepo(settings);
const { getCameraState, putCameraState } = cameraStatesRepo(settings);
const { getAlarm, listAlarms, upsertIncident } = alarmsRepo(settings);
const { freeCamera, getCamera, noteClip, renewLease, takeCamera, upsertCamera } = camerasRepo(settings);
const { heartbeat, markDead } = agentsRepo(settings);

const T0 = 1_700_000_000_000;
const frames = (from: number) => Array.from({ length: 10 }, (_, i) => ({ tsMs: T0 + (from + i) * 500, detections: [{ box: [10 + 20 * (from + i), 50, 30, 80] as [number, number, number, number], score: 0.8 }] }));

describe('camera state (versioned)', () => {
  it('two consumers that read the same version cannot both write: the loser must reload', async () => {
    const cam = `it-${randomUUID()}`;
    const first = analyseClip(createCameraState(), { rules: [] }, frames(0));
    expect(await putCameraState(cam, first.state, 0, { lastClipStartMs: T0, now: Date.now() })).toBe(true);
    const stored = (await getCameraState(cam))!;
    expect(stored.version).toBe(1);
    expect(stored.state).toEqual(first.state);

    // Both consumers start from version 1 with the next clip (e.g. a redelivery after a timeout).
    const a = analyseClip(stored.state, { rules: [] }, frames(10));
    const b = analyseClip(stored.state, { rules: [] }, frames(10));
    const results = await Promise.all([
      putCameraState(cam, a.state, 1, { lastClipStartMs: T0 + 5000, now: Date.now() }),
      putCameraState(cam, b.state, 1, { lastClipStartMs: T0 + 5000, now: Date.now() }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    // The loser reloads: the frames are now old, nothing is done twice.
    const reloaded = (await getCameraState(cam))!;
    expect(reloaded.version).toBe(2);
    expect(analyseClip(reloaded.state, { rules: [] }, frames(10)).processedFrames).toBe(0);
    // Creating twice is a conflict too.
    expect(await putCameraState(cam, first.state, 0, { lastClipStartMs: T0, now: Date.now() })).toBe(false);
  });
});

describe('clip index', () => {
  it('dispatches an object once, again only when its bytes change', async () => {
    const cam = `it-${randomUUID()}`;
    const c = { cameraId: cam, startMs: T0, key: `${cam}/${T0}.mp4`, size: 10, now: Date.now() };
    expect(await recordUpload({ ...c, etag: 'e1' })).toEqual({ alreadyDispatched: false });
    await markDispatched(cam, T0, 'e1', Date.now());
    expect(await recordUpload({ ...c, etag: 'e1' })).toEqual({ alreadyDispatched: true });
    expect(await recordUpload({ ...c, etag: 'e2' })).toEqual({ alreadyDispatched: false });
    const [item] = await listClips(cam, T0 - 1, T0 + 1);
    expect(item).toMatchObject({ uploads: 3, etag: 'e2', dispatchedEtag: 'e1' });
  });
});

describe('alarms', () => {
  it('one alarm per incident: concurrent sightings create it once, later ones extend it', async () => {
    const cam = `it-${randomUUID()}`;
    const alarmId = alarmIdFor(cam, 'z#t1', T0);
    const base = { alarmId, cameraId: cam, incidentKey: 'z#t1', ruleId: 'z', ruleType: 'zone' as const, startedAt: T0, createdAt: Date.now() };
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => upsertIncident({ ...base, endedAt: T0 + 1000 * i, trackIds: [1] })));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    await upsertIncident({ ...base, endedAt: T0 + 9000, trackIds: [1, 4] });
    // An older sighting (redelivered clip) does not move the end back.
    await upsertIncident({ ...base, endedAt: T0 + 2000, trackIds: [9] });
    expect(await getAlarm(alarmId)).toMatchObject({ endedAt: T0 + 9000, trackIds: [1, 4] });
    const page = await listAlarms({ cameraId: cam, fromMs: T0 - 1, toMs: T0 + 1, limit: 10 });
    expect(page.items.map((a) => a.alarmId)).toEqual([alarmId]);
  });
});

describe('registry', () => {
  it('concurrent claims of one free camera: exactly one owner; a lease is renewed only by its owner', async () => {
    const cam = `it-${randomUUID()}`;
    await upsertCamera(cam, { source: '/v.mp4' }, Date.now());
    const now = Date.now();
    const wins = await Promise.all(['a', 'b', 'c', 'd'].map((agent) => takeCamera(cam, agent, now + 30_000, now)));
    expect(wins.filter(Boolean)).toHaveLength(1);
    const owner = (await getCamera(cam))!.owner!;
    expect(['a', 'b', 'c', 'd'][wins.indexOf(true)]).toBe(owner);
    expect(await renewLease(cam, owner === 'a' ? 'b' : 'a', now + 60_000)).toBe(false);
    expect(await renewLease(cam, owner, now + 60_000)).toBe(true);
    // The monitor only frees a camera once its lease is over.
    expect(await freeCamera(cam, owner, now)).toBe(false);
    expect(await freeCamera(cam, owner, now + 61_000)).toBe(true);
    // A camera without a source, or disabled, cannot be taken.
    const bare = `it-${randomUUID()}`;
    await noteClip(bare, { startMs: T0, key: `${bare}/${T0}.mp4`, now });
    expect(await takeCamera(bare, 'a', now + 30_000, now)).toBe(false);
    await upsertCamera(cam, { enabled: false }, now);
    expect(await takeCamera(cam, 'a', now + 30_000, now)).toBe(false);
  });

  it('the monitor cannot mark an agent dead if a heartbeat arrived after the one it judged', async () => {
    const id = `it-${randomUUID()}`;
    await heartbeat({ agentId: id, host: 'h', pid: 1, cameras: [], intervalSeconds: 1, now: T0 });
    await heartbeat({ agentId: id, host: 'h', pid: 1, cameras: [], intervalSeconds: 1, now: T0 + 1000 });
    expect(await markDead(id, T0, T0 + 10_000)).toBe(false);
    expect(await markDead(id, T0 + 1000, T0 + 10_000)).toBe(true);
    // Its next heartbeat revives it and says it had been given up on.
    const old = await heartbeat({ agentId: id, host: 'h', pid: 2, cameras: [], intervalSeconds: 1, now: T0 + 11_000 });
    expect(old?.state).toBe('dead');
  });
});
