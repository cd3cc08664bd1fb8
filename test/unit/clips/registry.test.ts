import { describe, expect, it } from 'vitest';
import { planClaim } from '../../../shared/clips/registry/balance.js';
import { cameraStatus, isAlive, type AgentItem, type CameraItem } from '../../../shared/clips/registry/liveness.js';
import { topicArn } from '../../../shared/clips/registry/topic.js';

const NOW = 1_700_000_000_000;
const agent = (agentId: string, o: Partial<AgentItem> = {}): AgentItem => ({
  agentId, host: 'h', pid: 1, cameras: [], intervalSeconds: 10, lastHeartbeatAt: NOW - 1000, lastClaimAt: NOW - 1000, state: 'alive', startedAt: NOW - 60_000, ...o,
});
const cams = (n: number, o: (i: number) => Partial<CameraItem> = () => ({})): CameraItem[] =>
  Array.from({ length: n }, (_, i) => ({ cameraId: `c${i + 1}`, source: `/v/${i + 1}.mp4`, createdAt: 0, ...o(i) }));
const ids = (cs: CameraItem[]) => cs.map((c) => c.cameraId);
const owned = (owner: string, until = NOW + 20_000) => ({ owner, leaseUntil: until, ownerSince: NOW - 50_000 });

describe('planClaim', () => {
  it('splits 6 cameras 3/3 between two fresh agents', () => {
    const agents = [agent('A'), agent('B')];
    const a = planClaim({ agentId: 'A', now: NOW, cameras: cams(6), agents, running: new Set() });
    expect(a.target).toBe(3);
    expect(ids(a.take)).toEqual(['c1', 'c2', 'c3']);
    const after = cams(6, (i) => (i < 3 ? owned('A') : {}));
    expect(ids(planClaim({ agentId: 'B', now: NOW, cameras: after, agents, running: new Set() }).take)).toEqual(['c4', 'c5', 'c6']);
  });

  it('a lone agent takes everything; when a second arrives, the surplus is asked back and freed once stopped', () => {
    const all = cams(6, () => owned('A'));
    expect(planClaim({ agentId: 'A', now: NOW, cameras: cams(6), agents: [agent('A')], running: new Set() }).take).toHaveLength(6);
    const agents = [agent('A'), agent('B', { lastClaimAt: undefined })];
    expect(planClaim({ agentId: 'B', now: NOW, cameras: all, agents, running: new Set() }).take).toEqual([]);
    const running = new Set(ids(all));
    const p = planClaim({ agentId: 'A', now: NOW, cameras: all, agents, running });
    expect(ids(p.renew)).toHaveLength(3);
    expect(p.release).toHaveLength(3);
    expect(p.free).toEqual([]);
    // Next claim: A reports them stopped → freed (never while still running).
    const asked = all.map((c) => (p.release.includes(c) ? { ...c, releaseRequestedAt: NOW } : c));
    const next = planClaim({ agentId: 'A', now: NOW + 1000, cameras: asked, agents, running: new Set(ids(p.renew)) });
    expect(ids(next.free)).toEqual(ids(p.release));
    expect(next.release).toEqual([]);
  });

  it('takes over cameras whose lease ran out (dead owner), never ones still leased', () => {
    const agents = [agent('A'), agent('B', { lastHeartbeatAt: NOW - 60_000 })];
    const cameras = cams(6, (i) => (i < 3 ? owned('A') : i < 5 ? owned('B', NOW - 1) : owned('B', NOW + 5000)));
    const p = planClaim({ agentId: 'A', now: NOW, cameras, agents, running: new Set(['c1', 'c2', 'c3']) });
    expect(p.target).toBe(6);
    expect(ids(p.renew)).toEqual(['c1', 'c2', 'c3']);
    expect(ids(p.take)).toEqual(['c4', 'c5']);
  });

  it('least-loaded agents first: leaves the pool to live agents that own fewer', () => {
    const agents = [agent('A'), agent('B')];
    const cameras = cams(6, (i) => (i < 2 ? owned('A') : {}));
    // A owns 2, B owns 0 and claims actively: of the 4 free, 3 are B's share, so A may take 1.
    expect(ids(planClaim({ agentId: 'A', now: NOW, cameras, agents, running: new Set() }).take)).toEqual(['c3']);
    // 7 cameras, 2 still leased by a dead agent, 3 free: B (0) needs its whole share of 4 first...
    const tight = cams(7, (i) => (i < 2 ? owned('A') : i < 4 ? owned('D') : {}));
    expect(planClaim({ agentId: 'A', now: NOW, cameras: tight, agents, running: new Set() }).take).toEqual([]);
    // ...unless B is not claiming (no recent claim): then A is not held back.
    const idleB = [agent('A'), agent('B', { lastClaimAt: NOW - 120_000 })];
    expect(ids(planClaim({ agentId: 'A', now: NOW, cameras: tight, agents: idleB, running: new Set() }).take)).toEqual(['c5', 'c6']);
  });

  it('ignores cameras without a source or disabled, gives back disabled ones, and gives back everything when leaving', () => {
    const cameras = [...cams(2), { cameraId: 'x', createdAt: 0 }, { cameraId: 'y', source: 's', enabled: false, createdAt: 0, ...owned('A') }];
    const p = planClaim({ agentId: 'A', now: NOW, cameras, agents: [agent('A')], running: new Set(['y']) });
    expect(ids(p.take)).toEqual(['c1', 'c2']);
    expect(ids(p.release)).toEqual(['y']);
    const mine = cams(3, () => owned('A'));
    const leaving = planClaim({ agentId: 'A', now: NOW, cameras: mine, agents: [agent('A')], running: new Set(), leaving: true });
    expect(ids(leaving.free)).toEqual(['c1', 'c2', 'c3']);
    expect(leaving.take).toEqual([]);
  });
});

describe('liveness and camera states', () => {
  it('an agent is dead after 3 of its own intervals without a heartbeat', () => {
    expect(isAlive(agent('A', { lastHeartbeatAt: NOW - 30_000 }), NOW)).toBe(true);
    expect(isAlive(agent('A', { lastHeartbeatAt: NOW - 30_001 }), NOW)).toBe(false);
    expect(isAlive(agent('A', { intervalSeconds: 2, lastHeartbeatAt: NOW - 7000 }), NOW)).toBe(false);
    expect(isAlive(agent('A', { state: 'left' }), NOW)).toBe(false);
  });

  it('derives each camera state', () => {
    const agents = new Map([['A', agent('A')], ['D', agent('D', { state: 'dead' })]]);
    const st = (c: Partial<CameraItem>) => cameraStatus({ cameraId: 'c', createdAt: 0, ...c }, agents, NOW, 15_000).state;
    expect(st({ source: 's', ...owned('A'), lastClipAt: NOW - 5000 })).toBe('recording');
    expect(st({ source: 's', ...owned('A'), ownerSince: NOW - 3000 })).toBe('starting');
    expect(st({ source: 's', ...owned('A'), lastClipAt: NOW - 60_000 })).toBe('stalled');
    expect(st({ source: 's', ...owned('D') })).toBe('orphaned');
    expect(st({ source: 's', ...owned('A', NOW - 1) })).toBe('orphaned');
    expect(st({ source: 's' })).toBe('unassigned');
    expect(st({ source: 's', enabled: false })).toBe('disabled');
    expect(st({ lastClipAt: NOW - 1000 })).toBe('receiving');
    expect(st({})).toBe('idle');
    const full = cameraStatus({ cameraId: 'c', createdAt: 0, source: 's', ...owned('A'), lastClipAt: NOW }, agents, NOW, 15_000);
    expect(full).toMatchObject({ owner: 'A', lastHeartbeatAt: new Date(NOW - 1000).toISOString(), lastClipAt: new Date(NOW).toISOString() });
  });

  it('builds topic ARNs from the function ARN, or the emulator account', () => {
    expect(topicArn('t', 'arn:aws:lambda:eu-west-1:123456789012:function:f', 'eu-west-1')).toBe('arn:aws:sns:eu-west-1:123456789012:t');
    expect(topicArn('t', 'offline_invokedFunctionArn_for_f', 'us-east-1')).toBe('arn:aws:sns:us-east-1:000000000000:t');
  });
});
