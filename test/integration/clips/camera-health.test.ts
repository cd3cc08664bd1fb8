import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, sqs } from '../../../shared/platform/aws.js';
import { queueUrl } from '../../../shared/platform/sqs/queues.js';
import { alarmsRepo } from '../../../shared/clips/alarms/store.js';
import { agentsRepo, camerasRepo } from '../../../shared/clips/registry/store.js';
import { clipArrived as arrived, sweepCameraHealth as sweep } from '../../../shared/clips/registry/health-sweep.js';
import type { HealthCamera } from '../../../shared/clips/registry/health.js';
import { resource } from '../../support/names.js';

/** Camera health transitions on DynamoDB Local + fauxqs: one transition and one push under concurrent sweeps. */
const CLIPS_PUSH_QUEUE = resource('alarmPush');
const settings = {
  CLIPS_ALARMS_TABLE: resource('alarms'),
  CLIPS_CAMERAS_TABLE: resource('cameras'),
  CLIPS_AGENTS_TABLE: resource('agents'),
  CLIPS_ALARM_RETENTION_DAYS: 30,
  CLIPS_AGENT_RETENTION_DAYS: 1,
};
const deps = { cameras: camerasRepo(settings), agents: agentsRepo(settings), alarms: alarmsRepo(settings), pushQueue: CLIPS_PUSH_QUEUE };
const { getAlarm, listAlarms } = deps.alarms;
const { getCamera, noteClip, takeCamera, upsertCamera } = deps.cameras;
const { heartbeat } = deps.agents;
const sweepCameraHealth = (now: number, o: Parameters<typeof sweep>[2]) => sweep(deps, now, o);
const clipArrived = (cameraId: string, c: { key: string; now: number }) => arrived(deps, cameraId, c);

// An injected clock: a fixed instant, whatever the date of the run.
const T = Date.UTC(2033, 6, 1, 0, 0, 0);

/** Push tasks naming one of `ids` (received and deleted; other tests' messages are left alone). */
async function pushTasks(ids: string[], waitMs = 3000): Promise<string[]> {
  const url = await queueUrl(CLIPS_PUSH_QUEUE);
  const out: string[] = [];
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 1 }));
    for (const m of r.Messages ?? []) {
      const { alarmId } = JSON.parse(m.Body!) as { alarmId: string };
      if (!ids.includes(alarmId)) continue;
      out.push(alarmId);
      await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  return out;
}

describe('camera health', () => {
  it('concurrent sweeps record one offline transition and queue one push; a clip brings it back once', async () => {
    const cam = `hc-${randomUUID()}`;
    const only = (c: HealthCamera) => c.cameraId === cam;
    await upsertCamera(cam, { source: '/v/lobby.mp4', staleAfterSeconds: 10 }, T);
    await noteClip(cam, { startMs: T, key: `${cam}/${T}.mp4`, now: T + 5000 });

    // Within staleAfter: nothing.
    expect(await sweepCameraHealth(T + 15_000, { clipSeconds: 5, only })).toMatchObject({ offline: [], online: [] });

    const results = await Promise.all(Array.from({ length: 4 }, () => sweepCameraHealth(T + 15_001 + Math.floor(Math.random() * 10), { clipSeconds: 5, only })));
    expect(results.flatMap((r) => r.offline)).toEqual([cam]);
    const c = (await getCamera(cam)) as HealthCamera;
    expect(c).toMatchObject({ health: 'offline', healthSince: T + 5000, healthReason: expect.stringMatching(/^no clips for 10 s$/) });
    expect(c.healthAlarmQueuedAt).toBeDefined();
    const offline = (await getAlarm(c.healthAlarmId!))!;
    expect(offline).toMatchObject({ cameraId: cam, ruleType: 'camera.offline', startedAt: T + 5000, trackIds: [], pushStatus: 'pending' });

    // Still offline at later sweeps: no second alarm.
    expect((await sweepCameraHealth(T + 60_000, { clipSeconds: 5, only })).offline).toEqual([]);

    // An older re-upload (noteClip ignores it) does not bring the camera back; a new clip does, once.
    await noteClip(cam, { startMs: T - 5000, key: `${cam}/${T - 5000}.mp4`, now: T + 61_000 });
    expect(await clipArrived(cam, { key: `${cam}/${T - 5000}.mp4`, now: T + 61_000 })).toBeUndefined();
    await noteClip(cam, { startMs: T + 60_000, key: `${cam}/${T + 60_000}.mp4`, now: T + 65_000 });
    const back = await Promise.all([1, 2, 3].map(() => clipArrived(cam, { key: `${cam}/${T + 60_000}.mp4`, now: T + 65_000 })));
    expect(back.filter(Boolean)).toHaveLength(1);
    const online = (await getCamera(cam)) as HealthCamera;
    expect(online).toMatchObject({ health: 'online', healthSince: T + 65_000 });
    expect((await getAlarm(online.healthAlarmId!))).toMatchObject({ ruleType: 'camera.online', startedAt: T + 65_000 });

    const listed = await listAlarms({ cameraId: cam, fromMs: 0, toMs: T + 3_600_000, limit: 10 });
    expect(listed.items.map((a) => a.ruleType)).toEqual(['camera.online', 'camera.offline']);
    expect((await pushTasks([offline.alarmId, online.healthAlarmId!])).sort()).toEqual([offline.alarmId, online.healthAlarmId!].sort());
  });

  it('a dead owner makes it offline before staleness; a crash before the alarm is repaired by the next sweep', async () => {
    const cam = `hd-${randomUUID()}`;
    const agent = `ag-${randomUUID()}`;
    const only = (c: HealthCamera) => c.cameraId === cam;
    await upsertCamera(cam, { source: '/v/lobby.mp4', staleAfterSeconds: 600 }, T);
    await heartbeat({ agentId: agent, host: 'h', pid: 1, cameras: [cam], intervalSeconds: 2, now: T });
    expect(await takeCamera(cam, agent, T + 6000, T)).toBe(true);
    await noteClip(cam, { startMs: T, key: `${cam}/${T}.mp4`, now: T + 5000 });
    // Agent silent since T: dead after 3 × 2 s, i.e. at T + 6000, later than the last clip.
    const r = await sweepCameraHealth(T + 7000, { clipSeconds: 5, only });
    expect(r.offline).toEqual([cam]);
    const c = (await getCamera(cam)) as HealthCamera;
    expect(c).toMatchObject({ health: 'offline', healthReason: `agent ${agent} dead`, healthAgentId: agent });
    expect(await getAlarm(c.healthAlarmId!)).toMatchObject({ ruleType: 'camera.offline', agentId: agent, reason: `agent ${agent} dead` });

    // Simulate a crash between the state change and the alarm: the alarm's push is not marked queued.
    await ddb().send(new UpdateCommand({ TableName: resource('cameras'), Key: { cameraId: cam }, UpdateExpression: 'REMOVE healthAlarmQueuedAt' }));
    await ddb().send(new UpdateCommand({ TableName: resource('alarms'), Key: { alarmId: c.healthAlarmId! }, UpdateExpression: 'REMOVE pushQueuedAt' }));
    expect((await sweepCameraHealth(T + 8000, { clipSeconds: 5, only, repairAfterMs: 30_000 })).repaired).toEqual([]);
    expect((await sweepCameraHealth(T + 40_000, { clipSeconds: 5, only, repairAfterMs: 30_000 })).repaired).toEqual([cam]);
    expect(((await getCamera(cam)) as HealthCamera).healthAlarmQueuedAt).toBeDefined();
    expect(await pushTasks([c.healthAlarmId!])).toEqual([c.healthAlarmId, c.healthAlarmId]);
  });
});
