import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAddress, parseAllowList } from '../../../shared/platform/net/allow.js';
import { safeFetch, SafeFetchError } from '../../../shared/platform/net/safe-fetch.js';
import { freePort } from '../../support/ports.js';
import { startPhotoFiles } from '../../support/peers/photos.js';

describe('allow-list', () => {
  const any = parseAllowList('*');
  it('always refuses link-local and metadata addresses, whatever the list says', () => {
    const open = parseAllowList('0.0.0.0/0, ::/0, *');
    for (const a of ['169.254.169.254', '169.254.0.1', '::ffff:169.254.169.254', 'fd00:ec2::254', 'fe80::1', '100.100.100.200', '0.0.0.0']) {
      const v = checkAddress(open, 'x', a);
      expect(v.ok, a).toBe(false);
    }
  });

  it('`*` means public unicast only', () => {
    expect(checkAddress(any, 'example.com', '93.184.216.34').ok).toBe(true);
    expect(checkAddress(any, 'example.com', '2606:2800:220:1::1').ok).toBe(true);
    for (const a of ['127.0.0.1', '10.0.0.5', '192.168.1.1', '172.16.0.1', '::1', 'fc00::1', '100.64.0.1', '224.0.0.1']) {
      expect(checkAddress(any, 'example.com', a).ok, a).toBe(false);
    }
  });

  it('host names match by name (public addresses only); CIDRs trust a network', () => {
    const list = parseAllowList('files.example.com, *.cdn.example.net, 10.1.0.0/16, 127.0.0.1');
    expect(checkAddress(list, 'files.example.com', '93.184.216.34').ok).toBe(true);
    expect(checkAddress(list, 'a.cdn.example.net', '93.184.216.34').ok).toBe(true);
    expect(checkAddress(list, 'cdn.example.net', '93.184.216.34').ok).toBe(false);
    expect(checkAddress(list, 'other.example.com', '93.184.216.34').ok).toBe(false);
    // A listed name resolving to a private address (rebinding) is refused...
    expect(checkAddress(list, 'files.example.com', '192.168.0.1').ok).toBe(false);
    // ...unless a CIDR entry trusts that network.
    expect(checkAddress(list, 'anything', '10.1.2.3').ok).toBe(true);
    expect(checkAddress(list, 'anything', '::ffff:10.1.2.3').ok).toBe(true);
    expect(checkAddress(list, 'anything', '127.0.0.1').ok).toBe(true);
    expect(checkAddress(list, 'anything', '127.0.0.2').ok).toBe(false);
  });

  it('refuses malformed entries', () => {
    expect(() => parseAllowList('10.0.0.0/40')).toThrow(/CIDR/);
    expect(() => parseAllowList('exa mple.com;')).toThrow();
  });
});

describe('safeFetch', () => {
  let files: { url: string; stop(): Promise<void> };
  const loopback = '127.0.0.0/8';
  beforeAll(async () => {
    files = await startPhotoFiles();
  });
  afterAll(() => files.stop());

  const fails = async (p: Promise<unknown>, code: string, permanent?: boolean) => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err, `expected ${code}`).toBeInstanceOf(SafeFetchError);
    expect((err as SafeFetchError).code, (err as Error).message).toBe(code);
    if (permanent !== undefined) expect((err as SafeFetchError).permanent).toBe(permanent);
    return err as SafeFetchError;
  };

  it('fetches an allowed URL; non-2xx answers are results, not errors', async () => {
    const r = await safeFetch(`${files.url}/fixtures/messi5.jpg`, { allow: loopback });
    expect(r.status).toBe(200);
    expect(r.body.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect((await safeFetch(`${files.url}/missing.jpg`, { allow: loopback })).status).toBe(404);
  });

  it('checks the address it connects to after resolving names itself', async () => {
    const port = new URL(files.url).port;
    expect((await safeFetch(`http://localhost:${port}/fixtures/messi5.jpg`, { allow: '127.0.0.0/8,::1' })).status).toBe(200);
    // "localhost" is allowed by name, but resolves to loopback, which only a CIDR entry may allow.
    const e = await fails(safeFetch(`http://localhost:${port}/fixtures/messi5.jpg`, { allow: 'localhost' }), 'blocked', true);
    expect(e.message).toMatch(/loopback/);
    await fails(safeFetch(`${files.url}/fixtures/messi5.jpg`, { allow: '*' }), 'blocked', true);
  });

  it('refuses metadata addresses in every spelling, also behind a redirect', async () => {
    const allow = '0.0.0.0/0,::/0';
    for (const u of ['http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://[::ffff:169.254.169.254]/', 'http://[fd00:ec2::254]/', 'http://0xa9.0xfe.0xa9.0xfe/']) {
      await fails(safeFetch(u, { allow }), 'blocked', true);
    }
    const e = await fails(safeFetch(`${files.url}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`, { allow }), 'blocked', true);
    expect(e.message).toMatch(/169\.254\.169\.254/);
  });

  it('follows allowed redirects by hand, with a limit', async () => {
    const r = await safeFetch(`${files.url}/redirect?to=${encodeURIComponent('/fixtures/basketball1.png')}`, { allow: loopback });
    expect(r.status).toBe(200);
    expect(r.url).toBe(`${files.url}/fixtures/basketball1.png`);
    expect(r.redirects).toHaveLength(1);
    let u = `${files.url}/fixtures/messi5.jpg`;
    for (let i = 0; i < 4; i++) u = `${files.url}/redirect?to=${encodeURIComponent(u)}`;
    await fails(safeFetch(u, { allow: loopback, maxRedirects: 3 }), 'too_many_redirects', true);
    await fails(safeFetch(`${files.url}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`, { allow: loopback }), 'bad_url', true);
  });

  it('caps the body, declared or streamed', async () => {
    const declared = await fails(safeFetch(`${files.url}/huge.jpg`, { allow: loopback, maxBytes: 20 * 1024 * 1024 }), 'too_large', true);
    expect(declared.message).toMatch(/26214400 bytes/);
    await fails(safeFetch(`${files.url}/huge-chunked.jpg`, { allow: loopback, maxBytes: 20 * 1024 * 1024 }), 'too_large', true);
  });

  it('times out (transient), refuses odd URLs, reports unreachable hosts as transient', async () => {
    const t0 = Date.now();
    await fails(safeFetch(`${files.url}/slow.jpg`, { allow: loopback, timeoutMs: 500 }), 'timeout', false);
    expect(Date.now() - t0).toBeLessThan(5000);
    await fails(safeFetch('ftp://127.0.0.1/x', { allow: loopback }), 'bad_url', true);
    await fails(safeFetch('http://user:pw@127.0.0.1/x', { allow: loopback }), 'bad_url', true);
    await fails(safeFetch('not a url', { allow: loopback }), 'bad_url', true);
    await fails(safeFetch(`http://127.0.0.1:${await freePort()}/x.jpg`, { allow: loopback }), 'network', false);
    await fails(safeFetch('http://no-such-host.invalid/x.jpg', { allow: '*' }), 'dns', false);
  });
});
