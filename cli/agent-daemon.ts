/**
 * The capture agent's control loop (the CLI wires in the HTTP client and the ffmpeg recorder).
 * Every interval: heartbeat, claim, then make the running set match what the registry says is
 * ours. A camera is only recorded while its lease is valid by our own clock (measured from before
 * the claim was sent), so an agent cut off from the registry stops before anyone else may start.
 */
export interface OwnedCamera {
  cameraId: string;
  source: string;
}

export interface RegistryClient {
  heartbeat(body: { agentId: string; host: string; pid: number; cameras: string[]; intervalSeconds: number }): Promise<{ wasDead: boolean }>;
  claim(agentId: string, body: { running: string[]; leaving?: boolean }): Promise<{ owned: OwnedCamera[]; release: string[]; leaseSeconds: number }>;
}

export interface Recorder {
  /** Settles when recording ends by itself (source ended, ffmpeg failed). */
  done: Promise<void>;
  /** Graceful stop: the clip in progress is finished and uploaded. */
  stop(): Promise<void>;
}

export type RecorderFactory = (camera: OwnedCamera) => Recorder;

export interface AgentOptions {
  agentId: string;
  host: string;
  pid: number;
  intervalSeconds: number;
  client: RegistryClient;
  recorder: RecorderFactory;
  log?: (line: string) => void;
  now?: () => number;
}

interface Running {
  camera: OwnedCamera;
  recorder: Recorder;
  /** Local deadline of the lease: stop recording when it passes without a renewal. */
  leaseDeadline: number;
  ended: boolean;
}

export class Agent {
  private readonly running = new Map<string, Running>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly o: AgentOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.log ?? (() => undefined);
  }

  /** Camera ids being recorded. */
  cameras(): string[] {
    return [...this.running.keys()].sort();
  }

  /** One heartbeat + claim + reconcile cycle. Throws if the registry cannot be reached. */
  async tick(): Promise<void> {
    const { agentId, host, pid, intervalSeconds, client } = this.o;
    this.reap();
    const hb = await client.heartbeat({ agentId, host, pid, cameras: this.cameras(), intervalSeconds });
    if (hb.wasDead) {
      // The registry gave up on us and returned our cameras to the pool: someone else may own them.
      this.log(`registry declared ${agentId} dead: stopping all cameras`);
      await this.stopAll();
    }
    const sentAt = this.now();
    const res = await client.claim(agentId, { running: this.cameras() });
    const margin = Math.min(2000, res.leaseSeconds * 100); // 10 % of the lease, at most 2 s
    const deadline = sentAt + res.leaseSeconds * 1000 - margin;
    const owned = new Map(res.owned.map((c) => [c.cameraId, c]));
    for (const [id, r] of this.running) {
      const o = owned.get(id);
      if (!o || o.source !== r.camera.source) await this.stopOne(id, o ? 'source changed' : res.release.includes(id) ? 'asked to release it' : 'no longer ours');
    }
    for (const c of owned.values()) {
      const r = this.running.get(c.cameraId);
      if (r) r.leaseDeadline = deadline;
      else this.startOne(c, deadline);
    }
  }

  /** Stops cameras whose lease ran out locally (no successful claim in time). */
  async fence(): Promise<void> {
    const now = this.now();
    for (const [id, r] of this.running) if (now >= r.leaseDeadline) await this.stopOne(id, 'lease expired without renewal');
  }

  /** Runs until `signal` aborts, then stops every camera and gives them back. */
  async run(signal: AbortSignal): Promise<void> {
    const fenceTimer = setInterval(() => void this.fence(), 500);
    try {
      while (!signal.aborted) {
        try {
          await this.tick();
        } catch (err) {
          this.log(`registry unreachable: ${(err as Error).message}`);
        }
        await sleep(this.o.intervalSeconds * 1000, signal);
      }
    } finally {
      clearInterval(fenceTimer);
      await this.stopAll();
      await this.o.client.claim(this.o.agentId, { running: [], leaving: true }).catch((err: Error) => this.log(`could not give cameras back: ${err.message}`));
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stopOne(id, 'stopping')));
  }

  private startOne(camera: OwnedCamera, leaseDeadline: number): void {
    this.log(`start ${camera.cameraId} (${camera.source})`);
    const recorder = this.o.recorder(camera);
    const r: Running = { camera, recorder, leaseDeadline, ended: false };
    this.running.set(camera.cameraId, r);
    recorder.done.then(
      () => this.log(`${camera.cameraId}: recording ended`),
      (err: Error) => this.log(`${camera.cameraId}: recording failed: ${err.message}`),
    ).finally(() => {
      r.ended = true;
    });
  }

  private async stopOne(id: string, why: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) return;
    this.running.delete(id);
    this.log(`stop ${id}: ${why}`);
    await r.recorder.stop().catch(() => undefined);
  }

  /** Recorders that ended by themselves are dropped, so the next claim restarts them. */
  private reap(): void {
    for (const [id, r] of this.running) if (r.ended) this.running.delete(id);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The registry over HTTP (x-api-key). */
export function httpRegistry(apiUrl: string, apiKey: string, timeoutMs = 10_000): RegistryClient & { registerCamera(cameraId: string, source: string): Promise<void> } {
  const call = async <T>(method: string, path: string, body: unknown): Promise<T> => {
    const res = await fetch(new URL(path, apiUrl), {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };
  return {
    heartbeat: (body) => call('POST', '/agents/heartbeat', body),
    claim: (agentId, body) => call('POST', `/agents/${encodeURIComponent(agentId)}/claim`, body),
    registerCamera: async (cameraId, source) => {
      await call('PUT', `/cameras/${encodeURIComponent(cameraId)}`, { source });
    },
  };
}
