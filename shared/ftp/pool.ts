import type { Client } from 'basic-ftp';
import { connectFtp, connectionUsable } from './client.js';
import { parseBandwidth, rateAt, TokenBucket } from './bandwidth.js';
import { Passwords, type ServerConfig, type Servers } from './config.js';

/**
 * At most `max` connections to one server from this process (servers refuse many per IP), reused
 * across files; callers beyond the limit wait in FIFO order. A connection that saw a socket error
 * or timeout is dropped, and the next caller opens a fresh one. Idle connections close after
 * `idleMs` so a quiet Lambda container does not hold server slots.
 */
export class FtpPool {
  private readonly idle: Array<{ client: Client; timer: NodeJS.Timeout }> = [];
  private readonly waiters: Array<{ resolve: (c: Client | undefined) => void; reject: (e: unknown) => void }> = [];
  private open = 0;
  private closed = false;
  /** Connections opened so far (for tests and the bench). */
  connects = 0;

  constructor(private readonly connect: () => Promise<Client>, readonly max: number, private readonly idleMs = 15_000) {}

  async use<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.acquire();
    try {
      const out = await fn(client);
      this.release(client, true);
      return out;
    } catch (err) {
      this.release(client, connectionUsable(client, err));
      throw err;
    }
  }

  private async acquire(): Promise<Client> {
    if (this.closed) throw new Error('FTP pool is closed');
    for (;;) {
      const entry = this.idle.pop();
      if (!entry) break;
      clearTimeout(entry.timer);
      if (!entry.client.closed) return entry.client;
      this.open--;
    }
    if (this.open < this.max) return this.openOne();
    // A waiter gets either a handed-over client or `undefined` = a free slot to open one in.
    const handed = await new Promise<Client | undefined>((resolve, reject) => this.waiters.push({ resolve, reject }));
    return handed ?? this.openOne();
  }

  private async openOne(): Promise<Client> {
    this.open++;
    try {
      const c = await this.connect();
      this.connects++;
      return c;
    } catch (err) {
      this.open--;
      this.wakeForSlot();
      throw err;
    }
  }

  private wakeForSlot(): void {
    if (this.open < this.max) this.waiters.shift()?.resolve(undefined);
  }

  private release(client: Client, reusable: boolean): void {
    if (!reusable || client.closed || this.closed) {
      client.close();
      this.open--;
      this.wakeForSlot();
      return;
    }
    const w = this.waiters.shift();
    if (w) return w.resolve(client);
    const timer = setTimeout(() => {
      const i = this.idle.findIndex((e) => e.client === client);
      if (i >= 0) {
        this.idle.splice(i, 1);
        client.close();
        this.open--;
      }
    }, this.idleMs);
    timer.unref();
    this.idle.push({ client, timer });
  }

  /** Open connections (busy + idle). */
  get size(): number {
    return this.open;
  }

  close(): void {
    this.closed = true;
    for (const e of this.idle.splice(0)) {
      clearTimeout(e.timer);
      e.client.close();
      this.open--;
    }
    for (const w of this.waiters.splice(0)) w.reject(new Error('FTP pool is closed'));
  }
}

/** One pool per configured server, and one bandwidth bucket per server that has a limit. */
export class FtpPools {
  private readonly pools = new Map<string, FtpPool>();
  private readonly buckets = new Map<string, TokenBucket | undefined>();
  constructor(
    private readonly servers: Servers,
    readonly passwords: Passwords = new Passwords(),
    private readonly connectFn: (s: ServerConfig, password: string) => Promise<Client> = connectFtp,
    /** Wall clock for bandwidth timetables (tests inject one). */
    private readonly o: { now?: () => number } = {},
  ) {}

  /** The server's bandwidth bucket, shared by all its connections; undefined without a limit. */
  bandwidth(name: string): TokenBucket | undefined {
    if (!this.buckets.has(name)) {
      const s = this.server(name);
      const table = s.bandwidth ? parseBandwidth(s.bandwidth) : undefined;
      const now = this.o.now ?? Date.now;
      this.buckets.set(name, table ? new TokenBucket(() => rateAt(table, now(), s.utcOffset)) : undefined);
    }
    return this.buckets.get(name);
  }

  server(name: string): ServerConfig {
    const s = this.servers.get(name);
    if (!s) throw new Error(`unknown FTP server ${name}`);
    return s;
  }

  pool(name: string): FtpPool {
    let p = this.pools.get(name);
    if (!p) {
      const s = this.server(name);
      p = new FtpPool(async () => {
        const password = await this.passwords.get(s);
        try {
          return await this.connectFn(s, password);
        } catch (err) {
          if ((err as { code?: number }).code === 530) this.passwords.forget(s.name);
          throw err;
        }
      }, s.maxConnections);
      this.pools.set(name, p);
    }
    return p;
  }

  use<T>(server: string, fn: (client: Client) => Promise<T>): Promise<T> {
    return this.pool(server).use(fn);
  }

  close(): void {
    for (const p of this.pools.values()) p.close();
    this.pools.clear();
  }
}
