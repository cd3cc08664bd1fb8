import { describe, expect, it } from 'vitest';
import { parseBandwidth, parseRate, rateAt, TokenBucket } from '../../../shared/ftp/bandwidth.js';
import { parseServers } from '../../../shared/ftp/config.js';

const K = 1024;
/** Epoch ms of a wall-clock time in a given offset (fixed dates: nothing here reads the real clock). */
const at = (iso: string) => Date.parse(iso);

describe('bandwidth timetable', () => {
  it('parses rates with rclone units', () => {
    expect(parseRate('512k')).toBe(512 * K);
    expect(parseRate('1.5M')).toBe(1.5 * K * K);
    expect(parseRate('2G')).toBe(2 * K ** 3);
    expect(parseRate('100b')).toBe(100);
    expect(parseRate('64')).toBe(64 * K); // bare number: KiB/s
    expect(parseRate('off')).toBeUndefined();
    expect(parseRate('OFF')).toBeUndefined();
  });

  it('parses a single rate and a timetable', () => {
    expect(parseBandwidth('1M')).toEqual([{ at: 0, rate: K * K }]);
    expect(parseBandwidth('08:00,512k 19:00,off')).toEqual([{ at: 480, rate: 512 * K }, { at: 1140, rate: undefined }]);
    expect(parseBandwidth('  00:00,1M   12:30,256k ')).toEqual([{ at: 0, rate: K * K }, { at: 750, rate: 256 * K }]);
  });

  it.each([
    ['', /empty bandwidth/],
    ['fast', /bad rate "fast"/],
    ['512q', /bad rate/],
    ['0', /at least 1 byte/],
    ['8:00,512k', /bad timetable entry "8:00,512k"/],
    ['08:00,512k 24:00,off', /bad time in "24:00,off"/],
    ['08:61,512k', /bad time/],
    ['19:00,off 08:00,512k', /must increase/],
    ['08:00,512k 08:00,1M', /must increase/],
    ['08:00,', /bad timetable entry/],
  ])('refuses %j', (text, msg) => {
    expect(() => parseBandwidth(text)).toThrow(msg);
  });

  it('a bad bandwidth in FTP_SERVERS is an error naming the server and the field', () => {
    expect(() => parseServers(JSON.stringify({ cam1: { host: 'h', bandwidth: '08:00,512q' } }))).toThrow(/FTP_SERVERS\.cam1: bandwidth: bad rate "512q"/);
    expect(() => parseServers(JSON.stringify({ cam1: { host: 'h', bandwidth: 5 } }))).toThrow(/FTP_SERVERS\.cam1: bandwidth:/);
    expect(parseServers(JSON.stringify({ cam1: { host: 'h', bandwidth: '08:00,512k 19:00,off' } })).get('cam1')!.bandwidth).toBe('08:00,512k 19:00,off');
  });

  it('evaluates in the server\'s utcOffset, wrapping around midnight', () => {
    const t = parseBandwidth('08:00,512k 19:00,off');
    // +08:00: 08:00 local is 00:00 UTC.
    expect(rateAt(t, at('2024-03-10T00:00:00Z'), '+08:00')).toBe(512 * K);
    expect(rateAt(t, at('2024-03-09T23:59:59Z'), '+08:00')).toBeUndefined(); // 07:59:59 local: yesterday's 19:00,off
    expect(rateAt(t, at('2024-03-10T10:59:00Z'), '+08:00')).toBe(512 * K); // 18:59 local
    expect(rateAt(t, at('2024-03-10T11:00:00Z'), '+08:00')).toBeUndefined(); // 19:00 local
    // The same instants in UTC and in a negative offset.
    expect(rateAt(t, at('2024-03-10T00:00:00Z'), 'Z')).toBeUndefined();
    expect(rateAt(t, at('2024-03-10T08:00:00Z'), 'Z')).toBe(512 * K);
    expect(rateAt(t, at('2024-03-10T13:30:00Z'), '-05:30')).toBe(512 * K); // 08:00 local
    expect(rateAt(t, at('2024-03-10T13:29:00Z'), '-05:30')).toBeUndefined();
    // Before 1970 and on a leap day, the arithmetic holds.
    expect(rateAt(t, at('1969-12-31T08:00:00Z'), 'Z')).toBe(512 * K);
    expect(rateAt(t, at('2024-02-29T20:00:00Z'), 'Z')).toBeUndefined();
    expect(rateAt([], at('2024-02-29T20:00:00Z'), 'Z')).toBeUndefined();
  });
});

describe('token bucket', () => {
  /** A fake monotonic clock: sleeping advances it. */
  function fake() {
    let t = 0;
    return { monotonic: () => t, sleep: async (ms: number) => void (t += ms), elapsed: () => t };
  }

  it('lets bytes through at the rate after a small burst', async () => {
    const f = fake();
    const b = new TokenBucket(() => 100_000, { ...f, burstMs: 100 });
    for (let i = 0; i < 100; i++) await b.take(10_000); // 1 MB at 100 kB/s
    // 10 s minus the 100 ms burst it started with.
    expect(f.elapsed()).toBeCloseTo(9900, 0);
  });

  it('is shared: concurrent takers together keep to the rate, served in order', async () => {
    const f = fake();
    const b = new TokenBucket(() => 50_000, { ...f, burstMs: 0 });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map(async (k) => {
      for (let i = 0; i < 5; i++) {
        await b.take(5_000);
        order.push(k);
      }
    }));
    expect(f.elapsed()).toBeCloseTo(2000, 0); // 100 kB at 50 kB/s
    expect(order.slice(0, 4).sort()).toEqual([0, 1, 2, 3]);
  });

  it('follows the timetable as it changes; off lets everything through at once', async () => {
    const f = fake();
    let rate: number | undefined = 10_000;
    const b = new TokenBucket(() => rate, { ...f, burstMs: 0 });
    await b.take(10_000);
    expect(f.elapsed()).toBeCloseTo(1000, 0);
    rate = undefined;
    for (let i = 0; i < 100; i++) await b.take(1_000_000);
    expect(f.elapsed()).toBeCloseTo(1000, 0);
    rate = 20_000;
    await b.take(20_000);
    expect(f.elapsed()).toBeCloseTo(2000, 0);
  });

  it('an idle pause buys no more than the burst', async () => {
    const f = fake();
    const b = new TokenBucket(() => 10_000, { ...f, burstMs: 200 });
    await f.sleep(60_000); // idle a minute
    const t0 = f.elapsed();
    await b.take(12_000); // 2 000 from the burst, 10 000 at the rate
    expect(f.elapsed() - t0).toBeCloseTo(1000, 0);
  });
});
