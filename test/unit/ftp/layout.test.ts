import { describe, expect, it } from 'vitest';
import { ftpUrlFor, hourEnd, hourKeyOf, parsePath, parseRel, PathError, resolveInRoot, s3KeyFor } from '../../../shared/ftp/layout.js';

const SEED = 'ftpdata/3K01E84PAU00498/2017/12/15/15/2017_12_15_15_56_49_6318_1.jpg';

describe('camera layout', () => {
  it("parses the seed's file names: n=0 jpg is big, n≥1 small, json is attributes", () => {
    const small = parseRel(SEED);
    expect(small).toMatchObject({ fileName: '2017_12_15_15_56_49_6318_1.jpg', deviceId: '3K01E84PAU00498', kind: 'small', captureTime: '2017-12-15T15:56:49.000Z', hourKey: '2017/12/15/15', dir: 'ftpdata/3K01E84PAU00498/2017/12/15/15' });
    expect(parseRel(SEED.replace('_1.jpg', '_0.jpg')).kind).toBe('big');
    expect(parseRel(SEED.replace('_1.jpg', '_0.json')).kind).toBe('json');
    expect(parseRel(SEED.replace('_1.jpg', '_7.jpg')).kind).toBe('small');
  });

  it('reads capture times in the cameras\' zone', () => {
    expect(parseRel(SEED, '+08:00').captureTime).toBe('2017-12-15T07:56:49.000Z');
    expect(hourKeyOf(Date.parse('2017-12-15T07:56:49Z'), '+08:00')).toBe('2017/12/15/15');
    expect(hourEnd('2017/12/15/15', '+08:00')).toBe(Date.parse('2017-12-15T08:00:00Z'));
  });

  it('accepts paths relative to the root or absolute inside it', () => {
    expect(parsePath(SEED, '/').rel).toBe(SEED);
    expect(parsePath(`/${SEED}`, '/').rel).toBe(SEED);
    expect(parsePath(`/srv/cams/${SEED}`, '/srv/cams').rel).toBe(SEED);
    expect(parsePath(`/srv/cams/${SEED}`, '/srv/cams/').rel).toBe(SEED);
  });

  it.each([
    ['..', `ftpdata/../etc/2017/12/15/15/2017_12_15_15_56_49_6318_1.jpg`, /\.\./],
    ['absolute outside root', `/etc/${SEED}`, /outside the server's root/],
    ['root prefix trick', `/srv/camsX/${SEED}`, /outside/],
    ['wrong top dir', SEED.replace('ftpdata', 'data'), /does not match/],
    ['wrong extension', SEED.replace('.jpg', '.png'), /file name/],
    ['dir/file time mismatch', SEED.replace('/15/15/', '/15/16/'), /does not match its directory/],
    ['impossible date', 'ftpdata/D1/2017/02/30/10/2017_02_30_10_00_00_1_0.jpg', /valid date/],
    ['backslash', SEED.replace('/2017/', '\\2017/'), /forbidden/],
    ['bad device', 'ftpdata/-x/2017/12/15/15/2017_12_15_15_56_49_6318_1.jpg', /deviceId/],
    ['empty segment', 'ftpdata//D1/2017/12/15/15/2017_12_15_15_56_49_6318_1.jpg', /./],
  ])('refuses %s', (_what, path, msg) => {
    const root = path.startsWith('/') ? '/srv/cams' : '/';
    expect(() => parsePath(path, root)).toThrow(PathError);
    expect(() => parsePath(path, root)).toThrow(msg);
  });

  it('never lets a normalized path leave the root', () => {
    expect(() => resolveInRoot('/srv/cams/../../etc/passwd', '/srv/cams')).toThrow(PathError);
    expect(() => resolveInRoot('./ftpdata', '/')).toThrow(PathError);
  });

  it('object keys keep the layout and version re-migrations', () => {
    const p = parseRel(SEED);
    expect(s3KeyFor(p)).toBe('ftp/3K01E84PAU00498/2017/12/15/15/2017_12_15_15_56_49_6318_1.jpg');
    expect(s3KeyFor(p, 2)).toBe('ftp/3K01E84PAU00498/2017/12/15/15/2017_12_15_15_56_49_6318_1.v2.jpg');
  });

  it('FTP URLs encode each segment and include the root', () => {
    expect(ftpUrlFor('ftp://10.0.0.5:21', '/home/cam', 'ftpdata/a b/x.jpg')).toBe('ftp://10.0.0.5:21/home/cam/ftpdata/a%20b/x.jpg');
  });
});
