import { describe, expect, it } from 'vitest';
import { Agent, type OwnedCamera, type RegistryClient } from '../../../cli/agent-daemon.js';

function harness(responses: Array<{ owned: string[]; release?: string[]; wasDead?: boolean; fail?: boolean }>) {
  let now = 1_000_000;
  const started: string[] = [];
  const stopped: string[] = [];
  const claims: Array<{ running: string[]; leaving?: boolean }> = [];
  let i = 0;
  const client: RegistryClient = {
    heartbeat: async () => {
      const r = responses[Math.min(i, responses.length - 1)]!;
      if (r.fail) throw new Error('down');
      return { wasDead: Boolean(r.wasDead) };
    },
    claim: async (_id, body) => {
      claims.push(body);
      const r = responses[Math.min(i++, responses.length - 1)]!;
      return { owned: r.owned.map((cameraId) => ({ cameraId, source: `/v/${cameraId}` })), release: r.release ?? [], leaseSeconds: 6 };
    },
  };
  const agent = new Agent({
    agentId: 'A', host: 'h', pid: 1, intervalSeconds: 2, client, now: () => now,
    recorder: (c: OwnedCamera) => {
      started.push(c.cameraId);
      return { done: new Promise(() => undefined), stop: async () => void stopped.push(c.cameraId) };
    },
  });
  return { agent, started, stopped, claims, advance: (ms: number) => (now += ms) };
}

describe('capture agent loop', () => {
  it('starts what it owns, stops what it loses or is asked to release', async () => {
    const h = harness([{ owned: ['c1', 'c2'] }, { owned: ['c2', 'c3'] }, { owned: ['c3'], release: ['c2'] }]);
    await h.agent.tick();
    expect(h.agent.cameras()).toEqual(['c1', 'c2']);
    await h.agent.tick();
    expect(h.claims[1]!.running).toEqual(['c1', 'c2']);
    expect(h.stopped).toEqual(['c1']);
    expect(h.agent.cameras()).toEqual(['c2', 'c3']);
    await h.agent.tick();
    expect(h.stopped).toEqual(['c1', 'c2']);
    expect(h.started).toEqual(['c1', 'c2', 'c3']);
  });

  it('stops recording when its lease runs out without renewal (registry unreachable)', async () => {
    const h = harness([{ owned: ['c1'] }, { owned: [], fail: true }]);
    await h.agent.tick();
    h.advance(3000);
    await expect(h.agent.tick()).rejects.toThrow('down');
    await h.agent.fence();
    expect(h.agent.cameras()).toEqual(['c1']); // 6 s lease minus a 0.6 s margin: still valid
    h.advance(2500);
    await h.agent.fence();
    expect(h.agent.cameras()).toEqual([]);
    expect(h.stopped).toEqual(['c1']);
  });

  it('stops everything when the registry says it was declared dead, then claims afresh', async () => {
    const h = harness([{ owned: ['c1', 'c2'] }, { owned: ['c2'], wasDead: true }]);
    await h.agent.tick();
    await h.agent.tick();
    expect(h.stopped.sort()).toEqual(['c1', 'c2']);
    expect(h.claims[1]!.running).toEqual([]);
    expect(h.agent.cameras()).toEqual(['c2']);
  });

  it('gives its cameras back when it stops', async () => {
    const h = harness([{ owned: ['c1'] }]);
    const ctl = new AbortController();
    const run = h.agent.run(ctl.signal);
    await new Promise((r) => setTimeout(r, 50));
    ctl.abort();
    await run;
    expect(h.stopped).toEqual(['c1']);
    expect(h.claims.at(-1)).toEqual({ running: [], leaving: true });
  });
});
