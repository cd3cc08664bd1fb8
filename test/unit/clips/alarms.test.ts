import { describe, expect, it } from 'vitest';
import { alarmIdFor, decideReplay, firstReplayDelaySeconds, replayWindow, webhookPayload, webhookUrl, type AlarmItem } from '../../../shared/clips/alarms/records.js';
import { decodeCursor, encodeCursor } from '../../../shared/clips/alarms/cursor.js';

const S = { beforeMs: 15_000, afterMs: 15_000, clipMs: 5000, waitMs: 120_000, recheckMs: 10_000 };
const T = 1_700_000_100_000;
const clipsFrom = (fromSec: number, toSec: number) =>
  Array.from({ length: (toSec - fromSec) / 5 }, (_, i) => ({ startMs: T + (fromSec + 5 * i) * 1000, durationMs: 5000 }));

describe('alarm ids', () => {
  it('are deterministic per camera + incident + start, and distinct otherwise', () => {
    const a = alarmIdFor('cam1', 'zone#t3', T);
    expect(a).toMatch(/^al_[0-9a-f]{24}$/);
    expect(alarmIdFor('cam1', 'zone#t3', T)).toBe(a);
    expect(new Set([a, alarmIdFor('cam2', 'zone#t3', T), alarmIdFor('cam1', 'zone#t4', T), alarmIdFor('cam1', 'zone#t3', T + 1)]).size).toBe(4);
  });
});

describe('replay decision', () => {
  const alarm = { startedAt: T, createdAt: T + 2000 };

  it('builds at once when every covering clip exists', () => {
    const d = decideReplay(alarm, clipsFrom(-20, 20), T + 30_000, S);
    expect(d).toMatchObject({ action: 'build', complete: true, fromMs: T - 15_000, toMs: T + 15_000 });
    if (d.action === 'build') expect(d.coverage.used).toHaveLength(6);
  });

  it('waits (re-check later) while clips are missing, then builds incomplete after the bound', () => {
    const partial = clipsFrom(-15, 5);
    const early = decideReplay(alarm, partial, T + 20_000, S);
    expect(early).toMatchObject({ action: 'wait', delaySeconds: 10 });
    // Just before the bound the re-check is shortened to land on it.
    expect(decideReplay(alarm, partial, T + 15_000 + 117_000, S)).toMatchObject({ action: 'wait', delaySeconds: 3 });
    const late = decideReplay(alarm, partial, T + 15_000 + 120_000, S);
    expect(late).toMatchObject({ action: 'build', complete: false });
    if (late.action === 'build') expect(late.coverage.gaps).toEqual([{ fromMs: T + 5000, toMs: T + 15_000 }]);
  });

  it('measures the bound from the alarm creation for back-filled footage', () => {
    const backfilled = { startedAt: T, createdAt: T + 3_600_000 };
    expect(decideReplay(backfilled, clipsFrom(-15, 5), T + 3_600_000 + 60_000, S).action).toBe('wait');
    expect(decideReplay(backfilled, clipsFrom(-15, 5), T + 3_600_000 + 120_000, S).action).toBe('build');
  });

  it('delays the first attempt until the clip after the window has probably landed', () => {
    expect(firstReplayDelaySeconds(T, T, S)).toBe(20);
    expect(firstReplayDelaySeconds(T, T + 60_000, S)).toBe(0);
    expect(firstReplayDelaySeconds(T + 3_600_000, T, S)).toBe(900);
    expect(replayWindow(T, S)).toEqual({ fromMs: T - 15_000, toMs: T + 15_000 });
  });
});

describe('webhook', () => {
  it('routes per camera through {cameraId}, and is off when empty', () => {
    expect(webhookUrl('https://h/alarms/{cameraId}?x=1', 'cam 1')).toBe('https://h/alarms/cam%201?x=1');
    expect(webhookUrl('https://h/alarms', 'cam1')).toBe('https://h/alarms');
    expect(webhookUrl('  ', 'cam1')).toBeUndefined();
  });

  it('payload has the documented fields', () => {
    const a: AlarmItem = {
      alarmId: 'al_x', cameraId: 'cam1', incidentKey: 'z#t2', ruleId: 'z', ruleType: 'zone', startedAt: T, endedAt: T + 4000,
      trackIds: [7, 2], createdAt: T, replayComplete: true, replayKey: 'r',
    };
    expect(webhookPayload(a, { replayUrl: 'http://r', snapshotUrl: 'http://s' })).toEqual({
      alarmId: 'al_x', cameraId: 'cam1', rule: 'z', ruleType: 'zone',
      startedAt: new Date(T).toISOString(), endedAt: new Date(T + 4000).toISOString(),
      trackIds: [2, 7], snapshotUrl: 'http://s', replayUrl: 'http://r', replayComplete: true,
    });
    expect(webhookPayload({ ...a, replayComplete: undefined }, {})).toMatchObject({ replayUrl: null, snapshotUrl: null, replayComplete: false });
  });
});

describe('paging cursors', () => {
  it('round-trip and refuse foreign input', () => {
    const key = { alarmId: 'al_1', cameraId: 'c', startedAt: 5 };
    expect(decodeCursor(encodeCursor(key)!)).toEqual(key);
    expect(encodeCursor(undefined)).toBeUndefined();
    for (const bad of ['', 'nope', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{"a":{"b":1}}').toString('base64url')]) {
      expect(decodeCursor(bad), bad).toBeUndefined();
    }
  });
});
