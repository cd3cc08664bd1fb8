import { describe, expect, it } from 'vitest';
import { FileInfo, FileType } from 'basic-ftp';
import { layoutFiles, listTime, selectNew, type Listed } from '../../../shared/ftp/listing.js';

const NOW = Date.parse('2024-03-10T12:00:30Z');
const entry = (raw: string) => Object.assign(new FileInfo('x'), { rawModifiedAt: raw });

describe('listing times', () => {
  it('Unix recent (minutes, year implied), old (days), DOS and MLSD forms', () => {
    expect(listTime(entry('Mar 10 11:59'), NOW)).toEqual({ mtime: Date.parse('2024-03-10T11:59:00Z'), precisionMs: 60_000 });
    // A date in the future means last year.
    expect(listTime(entry('Dec 31 23:00'), NOW)!.mtime).toBe(Date.parse('2023-12-31T23:00:00Z'));
    expect(listTime(entry('Dec 15  2017'), NOW)).toEqual({ mtime: Date.parse('2017-12-15T00:00:00Z'), precisionMs: 86_400_000 });
    expect(listTime(entry('03-10-24  11:59AM'), NOW)!.mtime).toBe(Date.parse('2024-03-10T11:59:00Z'));
    expect(listTime(entry('03-10-24  01:05PM'), NOW)!.mtime).toBe(Date.parse('2024-03-10T13:05:00Z'));
    const mlsd = Object.assign(new FileInfo('x'), { modifiedAt: new Date('2024-03-10T11:59:42Z') });
    expect(listTime(mlsd, NOW)).toEqual({ mtime: Date.parse('2024-03-10T11:59:42Z'), precisionMs: 1000 });
    expect(listTime(entry('Mar 10 19:59'), NOW, '+08:00')!.mtime).toBe(Date.parse('2024-03-10T11:59:00Z'));
    expect(listTime(entry('garbage'), NOW)).toBeUndefined();
  });

  it('keeps only layout files', () => {
    const f = (name: string, type = FileType.File) => Object.assign(new FileInfo(name), { type, size: 10, rawModifiedAt: 'Mar 10 11:00' });
    const out = layoutFiles([f('2024_03_10_11_00_00_1_0.jpg'), f('notes.txt'), f('2024_03_10_11_00_00_1_0.json', FileType.Directory)], NOW);
    expect(out.map((x) => x.name)).toEqual(['2024_03_10_11_00_00_1_0.jpg']);
  });
});

describe('scan watermark', () => {
  const min = 60_000;
  const file = (name: string, at: number, precisionMs = min): Listed => ({ name, size: 1, mtime: at, precisionMs });
  const settle = 2 * min;
  const window = 10 * min;

  it('first scan takes every settled file, leaves fresh ones pending', () => {
    const t0 = NOW - 30 * min;
    const s = selectNew([file('a', t0), file('b', NOW - 3 * min), file('c', NOW - min)], undefined, NOW, settle, window);
    expect(s.fresh.map((f) => f.name)).toEqual(['a', 'b']);
    expect(s.pending).toBe(1);
    expect(s.next.wm).toBe(NOW - settle);
  });

  it('a later scan lists each file once, including late renames inside the window', () => {
    const files = [file('a', NOW - 30 * min), file('b', NOW - 3 * min), file('c', NOW - min)];
    const s1 = selectNew(files, undefined, NOW, settle, window);
    const later = NOW + 5 * min;
    // d: renamed into place with an old mtime (inside the window); e: brand new and settled.
    const s2 = selectNew([...files, file('d', NOW - 6 * min), file('e', later - 3 * min)], s1.next, later, settle, window);
    expect(s2.fresh.map((f) => f.name).sort()).toEqual(['c', 'd', 'e']);
    const s3 = selectNew([...files, file('d', NOW - 6 * min), file('e', later - 3 * min)], s2.next, later + min, settle, window);
    expect(s3.fresh).toEqual([]);
  });

  it('the watermark never goes back', () => {
    const s = selectNew([], { wm: NOW, recent: [] }, NOW - 10 * min, settle, window);
    expect(s.next.wm).toBe(NOW);
  });

  it('coarse (day) listing times wait until the whole day has settled', () => {
    const day = Date.parse('2024-03-10T00:00:00Z');
    const s = selectNew([file('old', day, 86_400_000)], undefined, NOW, settle, window);
    expect(s.fresh).toEqual([]);
    expect(s.pending).toBe(1);
  });
});
