import { describe, expect, it } from 'vitest';
import { webhookPayload } from '../../../shared/clips/alarms/records.js';
import type { AgentItem } from '../../../shared/clips/registry/liveness.js';
import {
  agentDeadAt, healthAlarm, healthAlarmId, healthTransition, healthWebhookPayload, isHealthAlarm, judgeHealth, staleAfterMs, type HealthCamera,
} from '../../../shared/clips/registry/health.js';

// A fixed instant: nothing here reads the wall clock.
const NOW = Date.UTC(2031, 2, 9, 23, 59, 50);
const CLIP = 5;
const cam = (o: Partial<HealthCamera> = {}): HealthCamera => ({
  cameraId: 'c1', source: '/v/lobby.mp4', createdAt: NOW - 600_000, owner: 'A', leaseUntil: NOW + 20_000, ownerSince: NOW - 300_000, lastClipAt: NOW - 4_000, ...o,
});
const agent = (agentId: string, o: Partial<AgentItem> = {}): AgentItem => ({
  agentId, host: 'h', pid: 1, cameras: ['c1'], intervalSeconds: 10, lastHeartbeatAt: NOW - 1000, state: 'alive', startedAt: NOW - 600_000, ...o,
});

describe('judgeHealth', () => {
  it('online while clips arrive within staleAfter (default 3 × clip length)', () => {
    expect(staleAfterMs({}, CLIP)).toBe(15_000);
    expect(staleAfterMs({ staleAfterSeconds: 60 }, CLIP)).toBe(60_000);
    expect(judgeHealth(cam({ lastClipAt: NOW - 15_000 }), [agent('A')], NOW, CLIP)).toEqual({ health: 'online' });
  });

  it('offline once no clip for longer than staleAfter; the reason says for how long; since = last clip', () => {
    expect(judgeHealth(cam({ lastClipAt: NOW - 15_001 }), [agent('A')], NOW, CLIP))
      .toEqual({ health: 'offline', since: NOW - 15_001, reason: 'no clips for 15 s' });
    // The camera's own setting wins.
    expect(judgeHealth(cam({ lastClipAt: NOW - 30_000, staleAfterSeconds: 60 }), [agent('A')], NOW, CLIP)).toEqual({ health: 'online' });
    expect(judgeHealth(cam({ lastClipAt: NOW - 61_000, staleAfterSeconds: 60 }), [agent('A')], NOW, CLIP)).toMatchObject({ health: 'offline', reason: 'no clips for 61 s' });
  });

  it('never a clip: measured from the later of registration and the current claim', () => {
    const fresh = cam({ lastClipAt: undefined, createdAt: NOW - 600_000, ownerSince: NOW - 10_000 });
    expect(judgeHealth(fresh, [agent('A')], NOW, CLIP)).toEqual({ health: 'online' });
    expect(judgeHealth({ ...fresh, ownerSince: NOW - 20_000 }, [agent('A')], NOW, CLIP))
      .toEqual({ health: 'offline', since: NOW - 20_000, reason: 'no clips for 20 s' });
    // Registered, nobody ever recorded it.
    expect(judgeHealth(cam({ lastClipAt: undefined, owner: undefined, ownerSince: undefined, createdAt: NOW - 16_000 }), [], NOW, CLIP))
      .toMatchObject({ health: 'offline', since: NOW - 16_000 });
  });

  it('offline when its agent is dead (declared, or silent for 3 intervals) and no clip came since', () => {
    const declared = agent('A', { state: 'dead', diedAt: NOW - 1000, lastHeartbeatAt: NOW - 31_000 });
    expect(judgeHealth(cam({ lastClipAt: NOW - 3000 }), [declared], NOW, CLIP))
      .toEqual({ health: 'offline', since: NOW - 3000, reason: 'agent A dead', agentId: 'A' });
    const silent = agent('A', { lastHeartbeatAt: NOW - 30_001 });
    expect(agentDeadAt(silent, NOW)).toBe(NOW - 1);
    expect(judgeHealth(cam({ lastClipAt: NOW - 3000 }), [silent], NOW, CLIP)).toMatchObject({ health: 'offline', reason: 'agent A dead' });
    // Freed by the monitor (no owner any more): the agent's last heartbeat still names the camera.
    expect(judgeHealth(cam({ owner: undefined, leaseUntil: undefined, lastClipAt: NOW - 3000 }), [declared], NOW, CLIP)).toMatchObject({ reason: 'agent A dead' });
  });

  it('a dead agent does not matter once clips arrived after its death, nor one that left, nor an unrelated one', () => {
    const dead = agent('A', { state: 'dead', diedAt: NOW - 10_000, lastHeartbeatAt: NOW - 40_000 });
    expect(judgeHealth(cam({ owner: 'B', lastClipAt: NOW - 2000 }), [dead, agent('B')], NOW, CLIP)).toEqual({ health: 'online' });
    expect(judgeHealth(cam({ owner: undefined }), [agent('A', { state: 'left', cameras: [], lastHeartbeatAt: NOW - 60_000 })], NOW, CLIP)).toEqual({ health: 'online' });
    expect(judgeHealth(cam({ owner: 'B' }), [agent('A', { state: 'dead', diedAt: NOW - 1000, cameras: ['other'] }), agent('B')], NOW, CLIP)).toEqual({ health: 'online' });
  });

  it('cameras that are not tasks (no source, disabled) are not judged', () => {
    expect(judgeHealth(cam({ source: undefined, lastClipAt: NOW - 3_600_000 }), [], NOW, CLIP)).toBeUndefined();
    expect(judgeHealth(cam({ enabled: false, lastClipAt: NOW - 3_600_000 }), [], NOW, CLIP)).toBeUndefined();
  });
});

describe('healthTransition', () => {
  const offline = { health: 'offline' as const, since: NOW - 20_000, reason: 'no clips for 20 s' };
  it('online (or never judged) → offline, with a deterministic alarm id', () => {
    const t = healthTransition(cam(), offline);
    expect(t).toEqual({ to: 'offline', since: NOW - 20_000, reason: 'no clips for 20 s', alarmId: healthAlarmId('c1', 'camera.offline', NOW - 20_000) });
    expect(healthTransition(cam({ health: 'online' }), offline)).toEqual(t);
    expect(t!.alarmId).toMatch(/^al_[0-9a-f]{24}$/);
    expect(healthAlarmId('c1', 'camera.online', NOW - 20_000)).not.toBe(t!.alarmId);
  });

  it('already offline: nothing (one alarm per outage, whatever the reason becomes)', () => {
    expect(healthTransition(cam({ health: 'offline', healthSince: NOW - 20_000 }), offline)).toBeUndefined();
    expect(healthTransition(cam({ health: 'offline' }), { ...offline, reason: 'agent A dead' })).toBeUndefined();
  });

  it('offline → online when a clip newer than the outage is there (the sweep\'s fallback for the dispatch)', () => {
    const c = cam({ health: 'offline', healthSince: NOW - 20_000, lastClipAt: NOW - 1000 });
    expect(healthTransition(c, { health: 'online' })).toEqual({ to: 'online', since: NOW - 1000, reason: 'clips arriving again', alarmId: healthAlarmId('c1', 'camera.online', NOW - 1000) });
    // Never judged or online: no "online" alarm.
    expect(healthTransition(cam(), { health: 'online' })).toBeUndefined();
    expect(healthTransition(cam({ health: 'offline' }), undefined)).toBeUndefined();
  });
});

describe('health alarms and their webhook payload', () => {
  const a = healthAlarm({ cameraId: 'c1', type: 'camera.offline', since: NOW - 20_000, reason: 'agent A dead', agentId: 'A', alarmId: 'al_0123456789abcdef01234567', now: NOW, expiresAt: 1 });
  it('is an alarm without tracks or replay, listed by its since', () => {
    expect(a).toMatchObject({ ruleType: 'camera.offline', ruleId: 'camera.offline', startedAt: NOW - 20_000, endedAt: NOW - 20_000, trackIds: [], createdAt: NOW, agentId: 'A' });
    expect(isHealthAlarm(a)).toBe(true);
    expect(isHealthAlarm({ ruleType: 'zone' })).toBe(false);
  });

  it('pushes { type, cameraId, since, reason } with null snapshot and replay', () => {
    expect(healthWebhookPayload(a)).toEqual({
      alarmId: 'al_0123456789abcdef01234567',
      type: 'camera.offline',
      cameraId: 'c1',
      since: new Date(NOW - 20_000).toISOString(),
      reason: 'agent A dead',
      agentId: 'A',
      detectedAt: new Date(NOW).toISOString(),
      snapshotUrl: null,
      replayUrl: null,
    });
    // Incident alarms keep their payload.
    expect(webhookPayload({ ...a, ruleType: 'zone', ruleId: 'z1' }, {})).not.toHaveProperty('type');
  });
});
