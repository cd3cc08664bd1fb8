import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { stackInfo } from '../../support/env.js';
import { api, eventually } from '../../support/http.js';
import { agentProcesses, agentSource, clipsOf, webhookRequests, stopped } from './helpers.js';

/**
 * Camera health end to end (issue 12 §5): a real capture agent records a file-source camera with
 * `staleAfterSeconds`; it is SIGKILLed, and the webhook receiver gets `camera.offline` once
 * (the health function is invoked through the Lambda API, two at a time, besides its schedule); a
 * second agent takes the camera over, its first clip raises `camera.online` once.
 */
const run = Date.now().toString(36);
const cam = `hl-${run}`;
const procs = agentProcesses();
let dir: string;
let source: string;

const lambda = () => new LambdaClient({ endpoint: stackInfo().lambdaUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
async function sweep(): Promise<{ offline: string[]; online: string[] }> {
  const res = await lambda().send(new InvokeCommand({ FunctionName: 'panoptes-local-clipsCameraHealth', Payload: Buffer.from('{}') }));
  return JSON.parse(Buffer.from(res.Payload!).toString());
}

const startAgent = (id: string) => procs.start(id, [`${cam}=${source}`]);

const healthRequests = async (type: string) =>
  (await webhookRequests(cam)).map((q) => ({ ...q, json: JSON.parse(q.body) as Record<string, unknown> })).filter((q) => q.json.type === type);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'panoptes-health-e2e-'));
  source = await agentSource(dir);
}, 60_000);

afterAll(async () => {
  procs.killAll();
  await api('DELETE', `/cameras/${cam}`);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('camera health alarms', () => {
  it('agent killed → camera.offline once; clips again → camera.online once; listed, attempts recorded', async () => {
    // Generous until the first clip (a loaded machine can take longer than 10 s to cut and upload it,
    // which would rightly be an outage), then 30 s: the kill is noticed through the agent's death (6 s).
    expect((await api('PUT', `/cameras/${cam}`, { body: { source, staleAfterSeconds: 600 } })).status).toBe(200);

    const a = startAgent(`health-a-${run}`);
    await eventually(async () => (await clipsOf(cam)).length >= 1, `a clip from agent A (${a.output().slice(-800)})`, 90_000, 500);
    const put = await api('PUT', `/cameras/${cam}`, { body: { staleAfterSeconds: 30 } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ source, staleAfterSeconds: 30 });
    expect((await sweep()).offline).not.toContain(cam);

    procs.orphansOf(a); // SIGKILL leaves ffmpeg behind (docs/clips.md)
    a.kill('SIGKILL');
    await stopped(a);

    // Sweeps run two at a time: still exactly one transition.
    const offline = await eventually(async () => {
      await Promise.all([sweep(), sweep()]);
      const r = await healthRequests('camera.offline');
      return r.length > 0 && r;
    }, 'camera.offline at the webhook', 60_000, 1000);
    expect(offline[0]!.json).toMatchObject({
      type: 'camera.offline', cameraId: cam, snapshotUrl: null, replayUrl: null,
      reason: expect.stringMatching(new RegExp(`^(agent health-a-${run} dead|no clips for \\d+ s)$`)),
    });
    expect(offline[0]!.headers['idempotency-key']).toBe(offline[0]!.json.alarmId);
    expect(Date.parse(offline[0]!.json.since as string)).toBeLessThanOrEqual(Date.parse(offline[0]!.json.detectedAt as string));

    await Promise.all([sweep(), sweep()]);
    const listed = await api('GET', `/alarms?cameraId=${cam}`);
    const offAlarm = listed.json.items.find((x: { ruleType: string }) => x.ruleType === 'camera.offline');
    expect(offAlarm).toMatchObject({ alarmId: offline[0]!.json.alarmId, reason: offline[0]!.json.reason, trackIds: [], replayReady: false });
    const detail = await eventually(async () => {
      const d = await api('GET', `/alarms/${offAlarm.alarmId}`);
      return d.json.pushStatus === 'delivered' && d.json;
    }, 'offline alarm delivered', 20_000, 500);
    expect(detail.pushes).toHaveLength(1);
    expect(detail.pushes[0]).toMatchObject({ attempt: 1, ok: true, httpStatus: 200 });
    expect(detail).toMatchObject({ replayUrl: null, snapshotUrl: null });

    // Clips again: another agent takes the camera over.
    const b = startAgent(`health-b-${run}`);
    const online = await eventually(async () => {
      const r = await healthRequests('camera.online');
      return r.length > 0 && r;
    }, `camera.online at the webhook (${b.output().slice(-800)})`, 90_000, 1000);
    expect(online[0]!.json).toMatchObject({ type: 'camera.online', cameraId: cam, snapshotUrl: null, replayUrl: null, reason: expect.stringMatching(/^clip .+ arrived$/) });
    expect(Date.parse(online[0]!.json.since as string)).toBeGreaterThan(Date.parse(offline[0]!.json.since as string));

    // More clips and sweeps change nothing: one of each.
    const clipsNow = (await clipsOf(cam)).length;
    await eventually(async () => (await clipsOf(cam)).length > clipsNow, 'another clip', 30_000, 500);
    await Promise.all([sweep(), sweep()]);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await healthRequests('camera.offline')).toHaveLength(1);
    expect(await healthRequests('camera.online')).toHaveLength(1);
    const types = (await api('GET', `/alarms?cameraId=${cam}`)).json.items.map((x: { ruleType: string }) => x.ruleType);
    expect(types).toEqual(['camera.online', 'camera.offline']);

    b.kill('SIGTERM');
    await stopped(b);
  });
});
