import { describe, expect, it } from 'vitest';
import { FTPError, type Client } from 'basic-ftp';
import { FtpPool } from '../../../shared/ftp/pool.js';

/** A stand-in for a basic-ftp client: only what the pool looks at. */
function fakeClient(): Client & { closes: number } {
  const c = { closed: false, closes: 0, close() { this.closed = true; this.closes++; } };
  return c as unknown as Client & { closes: number };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('FTP connection pool', () => {
  it('never opens more than max connections and reuses them', async () => {
    let opened = 0;
    const pool = new FtpPool(async () => (opened++, fakeClient()), 3);
    let busy = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 20 }, () => pool.use(async () => {
      peak = Math.max(peak, ++busy);
      await tick();
      busy--;
    })));
    expect(peak).toBe(3);
    expect(opened).toBe(3);
    expect(pool.size).toBe(3);
    pool.close();
    expect(pool.size).toBe(0);
  });

  it('drops a connection after a socket error, keeps it after an FTP error reply', async () => {
    const clients: Array<ReturnType<typeof fakeClient>> = [];
    const pool = new FtpPool(async () => {
      const c = fakeClient();
      clients.push(c);
      return c;
    }, 1);
    await expect(pool.use(async () => { throw new FTPError({ code: 550, message: 'no such file' }); })).rejects.toThrow();
    await pool.use(async (c) => expect(c).toBe(clients[0]));
    await expect(pool.use(async () => { throw new Error('ECONNRESET'); })).rejects.toThrow('ECONNRESET');
    expect(clients[0]!.closes).toBe(1);
    await pool.use(async (c) => expect(c).toBe(clients[1]));
    pool.close();
  });

  it('a failed connect frees its slot for the next caller', async () => {
    let n = 0;
    const pool = new FtpPool(async () => {
      if (n++ === 0) throw new Error('ECONNREFUSED');
      return fakeClient();
    }, 1);
    const results = await Promise.allSettled([pool.use(async () => 'a'), pool.use(async () => 'b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    pool.close();
  });

  it('waiters are served in order and rejected when the pool closes', async () => {
    const pool = new FtpPool(async () => fakeClient(), 1);
    const order: number[] = [];
    let release!: () => void;
    const first = pool.use(() => new Promise<void>((r) => (release = r)));
    await tick();
    const waiting = [1, 2, 3].map((i) => pool.use(async () => void order.push(i)));
    release();
    await Promise.all([first, ...waiting]);
    expect(order).toEqual([1, 2, 3]);
    let hold!: () => void;
    const busy = pool.use(() => new Promise<void>((r) => (hold = r)));
    await tick();
    const late = pool.use(async () => 'never');
    pool.close();
    await expect(late).rejects.toThrow(/closed/);
    hold();
    await busy;
  });
});
