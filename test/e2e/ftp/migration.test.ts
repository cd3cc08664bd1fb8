import '../../support/env.js';
import pMap from 'p-map';
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { api } from '../../support/http.js';
import { allInS3, device, ftpControl, hourDir, hoursAgo, image, inDlq, writeCaptures, type CamFile } from './helpers.js';
import { resource } from '../../support/names.js';

const notify = (items: unknown) => api('POST', '/ftp/notify', { body: items });

describe('FTP → S3 through notify, the queue and the consumer', () => {
  let tree: CamFile[] = [];

  it('200 notified files across devices and hours: all in S3 byte-identical, index switched, FTP untouched', async () => {
    const devices = [device('E2A'), device('E2B'), device('E2C'), device('E2D'), device('E2E')];
    // 5 devices × 4 hours × 3 captures × 3 files = 180, + 20 of a 6th device = 200
    tree = writeCaptures({ devices, hours: [4, 3, 2, 1].map(hoursAgo), captures: 3 });
    tree.push(...writeCaptures({ devices: [device('E2F')], hours: [hoursAgo(1)], captures: 7 }).slice(0, 20));
    expect(tree).toHaveLength(200);
    const r = await notify(tree.map((f) => ({ server: 'e2e', path: f.rel })));
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ status: 'queued', queued: 200, registered: 200 });

    // At once, every notified file answers with a working URL (FTP until migrated).
    const first = await image(tree[0]!.fileName);
    expect(first.status).toBe(200);
    expect(['ftp', 's3']).toContain(first.json.location);
    if (first.json.location === 'ftp') expect(first.json.url).toMatch(/^ftp:\/\/127\.0\.0\.1:\d+\/ftpdata\//);

    await allInS3(tree, '200 files in S3');
    await pMap(tree, async (f) => {
      const v = await api('GET', `/images/${f.fileName}?deviceId=${f.deviceId}`);
      expect(v.json).toMatchObject({ fileName: f.fileName, location: 's3', size: f.bytes.length });
      const body = Buffer.from(await (await fetch(v.json.url)).arrayBuffer());
      expect(body.equals(f.bytes)).toBe(true);
      expect(readFileSync(f.local).equals(f.bytes)).toBe(true); // FTP copy untouched until cleanup
    }, { concurrency: 4 });
  });

  it('content redirects to the current URL; unknown names are 404', async () => {
    const f = tree[0]!;
    const r = await api('GET', `/images/${f.fileName}/content`);
    expect(r.status).toBe(302);
    const followed = Buffer.from(await (await fetch(r.headers.get('location')!)).arrayBuffer());
    expect(followed.equals(f.bytes)).toBe(true);
    expect((await image('2001_01_01_00_00_00_1_0.jpg')).status).toBe(404);
    expect((await api('GET', '/images/2001_01_01_00_00_00_1_0.jpg/content')).status).toBe(404);
    expect((await image('not-a-camera-file.txt')).status).toBe(400);
    expect((await image(f.fileName)).status).toBe(200);
  });

  it('device history: time range, kind filter, paging', async () => {
    const dev = tree[0]!.deviceId;
    const mine = tree.filter((f) => f.deviceId === dev);
    const all = await api('GET', `/devices/${dev}/images?limit=500`);
    expect(all.status).toBe(200);
    expect(all.json.items).toHaveLength(mine.length);
    const times = all.json.items.map((i: { captureTime: string }) => i.captureTime);
    expect([...times].sort().reverse()).toEqual(times); // newest first
    const big = await api('GET', `/devices/${dev}/images?kind=big&limit=500`);
    expect(big.json.items).toHaveLength(mine.filter((f) => f.fileName.endsWith('_0.jpg')).length);
    expect(big.json.items.every((i: { kind: string; url: string }) => i.kind === 'big' && i.url.startsWith('http'))).toBe(true);
    // Two hours in the middle, ascending, paged by 5.
    const from = hoursAgo(3).toISOString();
    const to = new Date(hoursAgo(2).getTime() + 3_599_000).toISOString();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api('GET', `/devices/${dev}/images?from=${from}&to=${to}&order=asc&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.json.items.length).toBeLessThanOrEqual(5);
      seen.push(...page.json.items.map((i: { fileName: string }) => i.fileName));
      cursor = page.json.cursor;
    } while (cursor);
    expect(seen.sort()).toEqual(mine.filter((f) => f.rel.includes(hourDir(hoursAgo(3))) || f.rel.includes(hourDir(hoursAgo(2)))).map((f) => f.fileName).sort());
    expect((await api('GET', `/devices/${dev}/images?kind=huge`)).status).toBe(400);
    expect((await api('GET', `/devices/${dev}/images?from=${to}&to=${from}`)).status).toBe(400);
    expect((await api('GET', `/devices/${dev}/images?cursor=bm9wZQ`)).status).toBe(400);
  });

  it('bad notify input is refused with 400 and nothing is queued', async () => {
    const [good] = writeCaptures({ devices: [device('BAD')], hours: [hoursAgo(1)], captures: 1 });
    const g = { server: 'e2e', path: good!.rel };
    const cases: Array<[string, unknown, RegExp]> = [
      ['..', [g, { server: 'e2e', path: good!.rel.replace(/^ftpdata\/[^/]+/, 'ftpdata/../x') }], /\.\./],
      ['absolute outside root', [g, { server: 'e2e', path: `/etc/${good!.rel}` }], /layout|does not match/],
      ['unknown server', [g, { server: 'nope', path: good!.rel }], /unknown FTP server/],
      ['wrong layout', [g, { server: 'e2e', path: 'ftpdata/x/2024/13/01/00/a.jpg' }], /does not match/],
      ['wrong file time', [g, { server: 'e2e', path: good!.rel.replace(/(\d{4})_(\d{2})_(\d{2})_(\d{2})_/, (_m, y, M, d) => `${y}_${M}_${d}_77_`) }], /directory|date|match/],
      ['501 items', Array.from({ length: 501 }, () => g), /at most 500/],
      ['empty array', [], /at least one/],
      ['not JSON', undefined, /JSON|required/],
      ['extra field', { ...g, size: 1 }, /Unrecognized|invalid/i],
    ];
    for (const [what, body, msg] of cases) {
      const r = body === undefined ? await api('POST', '/ftp/notify', { rawBody: '{nope' }) : await notify(body);
      expect(r.status, what).toBe(400);
      expect(r.text, what).toMatch(msg);
    }
    expect((await api('POST', '/ftp/notify', { body: g, key: null })).status).toBe(401);
    // The good item of every refused batch was not indexed (so not queued either).
    expect((await image(good!.fileName)).status).toBe(404);
  });

  it('duplicate notifications and concurrent consumers: one object, one index switch', async () => {
    const [f] = writeCaptures({ devices: [device('DUP')], hours: [hoursAgo(1)], captures: 1 });
    const item = { server: 'e2e', path: f!.rel };
    const rs = await Promise.all([notify([item, item, item, item, item]), notify(item), notify(item), notify([item, item])]);
    expect(rs.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    await allInS3([f!], 'the duplicated file in S3');
    const v = await api('GET', `/images/${f!.fileName}`);
    expect(Buffer.from(await (await fetch(v.json.url)).arrayBuffer()).equals(f!.bytes)).toBe(true);
    // Let every duplicate message be consumed, then check the index saw exactly one claim and switch.
    await new Promise((r) => setTimeout(r, 5000));
    const { ddb } = await import('../../../shared/platform/aws.js');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const it = (await ddb().send(new GetCommand({ TableName: resource('ftpImages'), Key: { fileName: f!.fileName, deviceId: f!.deviceId } }))).Item!;
    expect(it).toMatchObject({ location: 's3', version: 1, attempts: 1 });
    expect(await inDlq([f!.rel])).toEqual([]);
  });

  it('the FTP server stopped during migration: retries, nothing lost, index true', async () => {
    const files = writeCaptures({ devices: [device('STOP')], hours: [hoursAgo(1)], captures: 10, size: () => 20_000 });
    await ftpControl('stop');
    let stopped = true;
    try {
      const r = await notify(files.map((f) => ({ server: 'e2e', path: f.rel })));
      expect(r.status).toBe(202);
      // While it is down, readers still get the (FTP) URL: the index says where the file is.
      await new Promise((res) => setTimeout(res, 4000));
      const during = await image(files[0]!.fileName);
      expect(during.json.location).toBe('ftp');
      await ftpControl('start');
      stopped = false;
    } finally {
      if (stopped) await ftpControl('start');
    }
    await allInS3(files, 'files migrated after the FTP server came back');
    for (const f of files.slice(0, 5)) {
      const v = await api('GET', `/images/${f.fileName}?deviceId=${f.deviceId}`);
      expect(Buffer.from(await (await fetch(v.json.url)).arrayBuffer()).equals(f.bytes)).toBe(true);
      expect(existsSync(f.local)).toBe(true);
    }
    expect(await inDlq(files.map((f) => f.rel))).toEqual([]);
  });
});
