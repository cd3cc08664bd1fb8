import { describe, expect, it } from 'vitest';
import { parseServers, Passwords, passwordEnvName, publicBase } from '../../../shared/ftp/config.js';
import { requireDuration as parseDuration } from '../../../shared/platform/time.js';
import { validateNotify } from '../../../shared/ftp/enqueue.js';

const json = (o: unknown) => JSON.stringify(o);

describe('FTP server configuration', () => {
  it('parses servers with defaults', () => {
    const s = parseServers(json({ cam1: { host: '10.0.0.5' }, 'cam-2': { host: 'h', port: 2121, user: 'u', root: '/data', secure: 'explicit', tls: { ca: 'PEM' }, maxConnections: 2, utcOffset: '+08:00', scan: true } }));
    expect(s.get('cam1')).toMatchObject({ name: 'cam1', port: 21, user: 'anonymous', root: '/', passive: true, secure: 'none', maxConnections: 4, scan: false });
    expect(s.get('cam-2')).toMatchObject({ port: 2121, secure: 'explicit', tls: { ca: 'PEM' }, utcOffset: '+08:00' });
    expect(publicBase(s.get('cam1')!)).toBe('ftp://10.0.0.5:21');
    expect(parseServers('')).toEqual(new Map());
  });

  it.each([
    [json({ a: { host: 'h', password: 'x' } }), /password|Unrecognized/i],
    [json({ a: { host: 'h', passive: false } }), /passive/],
    [json({ a: { host: 'h', tls: { ca: 'x' } } }), /secure is 'none'/],
    [json({ a: { host: 'h', secure: 'explicit', tls: { insecure: true } } }), /Unrecognized/i],
    [json({ a: { host: 'h', utcOffset: '8' } }), /utcOffset/],
    [json({ 'a b': { host: 'h' } }), /bad server name/],
    [json([1]), /JSON object/],
    ['{', /not valid JSON/],
  ])('refuses %s', (text, msg) => {
    expect(() => parseServers(text)).toThrow(msg);
  });

  it('passwords: FTP_PASSWORD_<NAME>, then the FTP_PASSWORDS map; never from FTP_SERVERS', async () => {
    const servers = parseServers(json({ 'cam-1': { host: 'h', user: 'u' }, two: { host: 'h', user: 'u' }, three: { host: 'h', user: 'u' } }));
    expect(passwordEnvName('cam-1')).toBe('FTP_PASSWORD_CAM_1');
    const p = new Passwords({ env: { FTP_PASSWORD_CAM_1: 'direct', FTP_PASSWORDS: json({ two: 'mapped' }), STAGE: 'local' } });
    expect(await p.get(servers.get('cam-1')!)).toBe('direct');
    expect(await p.get(servers.get('two')!)).toBe('mapped');
    await expect(p.get(servers.get('three')!)).rejects.toThrow(/FTP_PASSWORD_THREE/);
  });

  it('passwords on AWS stages come from SSM (or Secrets Manager through SSM)', async () => {
    const servers = parseServers(json({ cam1: { host: 'h', user: 'u' }, cam2: { host: 'h', user: 'u', passwordSource: 'secretsmanager' } }));
    const asked: string[] = [];
    const ssm = () => ({ send: async (cmd: { input: { Name: string; WithDecryption: boolean } }) => { asked.push(cmd.input.Name); expect(cmd.input.WithDecryption).toBe(true); return { Parameter: { Value: 'pw' } }; } }) as never;
    const p = new Passwords({ env: { STAGE: 'prod', SERVICE: 'panoptes', FTP_PASSWORD_CAM1: 'ignored' }, ssm });
    expect(await p.get(servers.get('cam1')!)).toBe('pw');
    expect(await p.get(servers.get('cam2')!)).toBe('pw');
    await p.get(servers.get('cam1')!); // cached
    expect(asked).toEqual(['/panoptes-prod-ftp/cam1', '/aws/reference/secretsmanager/panoptes-prod-ftp/cam2']);
  });

  it('durations', () => {
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(() => parseDuration('soon')).toThrow();
  });
});

describe('notify validation', () => {
  const servers = parseServers(json({ cam1: { host: 'h', root: '/home/cam' } }));
  const good = 'ftpdata/D1/2024/03/10/11/2024_03_10_11_00_00_12_0.jpg';

  it('accepts good items and names every bad one', () => {
    const { ok, problems } = validateNotify([
      { server: 'cam1', path: good },
      { server: 'nope', path: good },
      { server: 'cam1', path: `/etc/${good}` },
      { server: 'cam1', path: good.replace('D1', '..') },
    ], servers);
    expect(ok).toHaveLength(1);
    expect(problems.map((p) => p.path)).toEqual(['body[1].server', 'body[2].path', 'body[3].path']);
  });

  it('absolute paths inside the root are fine', () => {
    expect(validateNotify([{ server: 'cam1', path: `/home/cam/${good}` }], servers, true).ok[0]!.p.rel).toBe(good);
  });
});
