import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, dynamo, s3 } from '../../../shared/platform/aws.js';
import { IdAllocator } from '../../../shared/ids/allocator.js';
import { FILE_ID_PATTERN, FILE_SEQ_KEY } from '../../../shared/media-store/ids.js';
import { partRanges } from '../../../shared/media-store/plan.js';
import { s3Objects } from '../../../shared/media-store/objects.js';
import { mediaStore, type FileRecord, type MediaStoreOptions, type UploadTicket } from '../../../shared/media-store/store.js';
import { toHttp } from '../../../shared/platform/errors.js';
import { mediaGroupBucket, resource } from '../../support/names.js';

/**
 * The media store against DynamoDB Local + fauxqs. Each run gets its own groups and routes tables
 * (group counters and routing are global state); files live in the provisioned table.
 */
const FILES = resource('mediaFiles');
const B1 = mediaGroupBucket('g1');
const B2 = mediaGroupBucket('g2');
const MIB = 1024 * 1024;
const run = randomUUID().slice(0, 8);
const groupsTable = `it-media-groups-${run}`;
const routesTable = `it-media-routes-${run}`;
const ids = new IdAllocator({ table: resource('ids'), client: ddb() });

function makeStore(extra: Partial<MediaStoreOptions> = {}) {
  return mediaStore({
    ddb: ddb(),
    objects: s3Objects(s3()),
    filesTable: FILES,
    groupsTable,
    routesTable,
    groups: [{ name: 'g1', bucket: B1 }, { name: 'g2', bucket: B2 }],
    nextSeq: () => ids.nextId(FILE_SEQ_KEY),
    multipartThreshold: 8 * MIB,
    ...extra,
  });
}
const store = makeStore();
const operator = {};

beforeAll(async () => {
  await dynamo().send(new CreateTableCommand({
    TableName: groupsTable, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'name', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'name', KeyType: 'HASH' }],
  }));
  await dynamo().send(new CreateTableCommand({
    TableName: routesTable, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'appId', AttributeType: 'S' }, { AttributeName: 'userId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'appId', KeyType: 'HASH' }, { AttributeName: 'userId', KeyType: 'RANGE' }],
  }));
});
afterAll(async () => {
  await Promise.allSettled([groupsTable, routesTable].map((t) => dynamo().send(new DeleteTableCommand({ TableName: t }))));
});

/** fetch sets Content-Length from the body itself. */
const typeOnly = (headers: Record<string, string>) => ({ 'content-type': headers['content-type']! });

async function put(ticket: UploadTicket, body: Buffer): Promise<Array<{ partNumber: number; etag: string }> | undefined> {
  if ('upload' in ticket) {
    const r = await fetch(ticket.upload.url, { method: 'PUT', body, headers: typeOnly(ticket.upload.headers) });
    expect(r.status).toBe(200);
    return undefined;
  }
  return Promise.all(partRanges(body.length, ticket.partSize).map(async (p) => {
    const r = await fetch(ticket.parts[p.partNumber - 1]!.url, { method: 'PUT', body: body.subarray(p.start, p.end) });
    expect(r.status).toBe(200);
    return { partNumber: p.partNumber, etag: r.headers.get('etag')! };
  }));
}

async function upload(appId: string, userId: string, body: Buffer, s = store) {
  const ticket = await s.createUpload({ appId, userId, fileName: 'clip.mp4', size: body.length, contentType: 'video/mp4' }, operator);
  const parts = await put(ticket, body);
  return { ticket, done: await s.completeUpload(ticket.fileId, parts, operator) };
}

const counters = async () => Object.fromEntries((await store.listGroups()).map((g) => [g.name, { files: g.files, bytes: g.bytes }]));
const record = async (fileId: string) => (await ddb().send(new GetCommand({ TableName: FILES, Key: { fileId }, ConsistentRead: true }))).Item;
const objectExists = async (bucket: string, key: string) => s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(() => true, () => false);

async function expectHttp(p: Promise<unknown>, status: number, message?: RegExp) {
  const err = await p.then(() => undefined, (e: unknown) => e);
  // The store throws domain errors; toHttp is how every one of them is answered.
  const http = toHttp(err);
  expect(http, `expected an error the HTTP stack answers, got ${String(err)}`).toBeDefined();
  expect(http!.statusCode).toBe(status);
  if (message) expect(http!.message).toMatch(message);
}

describe('media store: groups and routing', () => {
  it('seeds configured groups once and keeps what the table says', async () => {
    const groups = await store.listGroups();
    expect(groups.map((g) => [g.name, g.bucket, g.status])).toEqual([['g1', B1, 'active'], ['g2', B2, 'active']]);
    // Another container seeding again changes nothing.
    await makeStore().ensureGroups();
    expect(await store.listGroups()).toEqual(groups);
  });

  it('concurrent first uploads of a new user agree on one group, which never changes', async () => {
    const user = `u-${randomUUID()}`;
    const stores = Array.from({ length: 8 }, (_, i) => makeStore({ random: () => (i % 2 ? 0.9 : 0.1) }));
    const tickets = await Promise.all(stores.map((s) => s.createUpload({ appId: 'appR', userId: user, fileName: 'a.bin', size: 10, contentType: 'application/octet-stream' }, operator)));
    expect(new Set(tickets.map((t) => t.group)).size).toBe(1);
    const later = await makeStore({ random: () => (tickets[0]!.group === 'g1' ? 0.9 : 0.1) }).routeOf('appR', user);
    expect(later.name).toBe(tickets[0]!.group);
  });

  it('new users spread over the active groups; a read-only group takes no new user and no new file', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) seen.add((await store.routeOf('appS', `spread-${run}-${i}`)).name);
    expect([...seen].sort()).toEqual(['g1', 'g2']);

    const pinned = `pinned-${run}`;
    const group = (await makeStore({ random: () => 0 }).routeOf('appS', pinned)).name;
    expect(group).toBe('g1');
    await ddb().send(new UpdateCommand({ TableName: groupsTable, Key: { name: 'g1' }, UpdateExpression: 'SET #s = :ro', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':ro': 'readonly' } }));
    try {
      for (let i = 0; i < 6; i++) expect((await store.routeOf('appS', `after-ro-${run}-${i}`)).name).toBe('g2');
      await expectHttp(store.createUpload({ appId: 'appS', userId: pinned, fileName: 'x', size: 1, contentType: 'text/plain' }, operator), 409, /read-only/);
      await ddb().send(new UpdateCommand({ TableName: groupsTable, Key: { name: 'g2' }, UpdateExpression: 'SET #s = :ro', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':ro': 'readonly' } }));
      await expectHttp(store.routeOf('appS', `nobody-${run}`), 503, /no storage group/);
    } finally {
      for (const name of ['g1', 'g2']) {
        await ddb().send(new UpdateCommand({ TableName: groupsTable, Key: { name }, UpdateExpression: 'SET #s = :a', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':a': 'active' } }));
      }
    }
  });
});

describe('media store: upload, complete, delete', () => {
  it('single PUT: ready after complete, counted once however often complete is called', async () => {
    const user = `single-${run}`;
    const body = randomBytes(300_000);
    const ticket = await store.createUpload({ appId: 'appA', userId: user, fileName: 'cam.jpg', size: body.length, contentType: 'image/jpeg' }, operator);
    expect(ticket.fileId).toMatch(FILE_ID_PATTERN);
    expect('upload' in ticket && ticket.upload.method).toBe('PUT');
    const before = await counters();
    await expectHttp(store.completeUpload(ticket.fileId, undefined, operator), 409, /nothing was uploaded/);
    await put(ticket, body);
    const done = await Promise.all(Array.from({ length: 5 }, () => store.completeUpload(ticket.fileId, undefined, operator)));
    for (const d of done) expect(d).toMatchObject({ fileId: ticket.fileId, status: 'ready', size: body.length, contentType: 'image/jpeg' });
    const after = await counters();
    expect(after[ticket.group]!.files - before[ticket.group]!.files).toBe(1);
    expect(after[ticket.group]!.bytes - before[ticket.group]!.bytes).toBe(body.length);
    const rec = await record(ticket.fileId);
    expect(rec).toMatchObject({ status: 'ready', userKey: `appA#${user}` });
    expect(rec!.pending).toBeUndefined();
    const got = await s3().send(new GetObjectCommand({ Bucket: rec!.bucket, Key: rec!.key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(got.ContentType).toBe('image/jpeg');
    const ready = await store.visible(ticket.fileId, { appId: 'appA' });
    expect((await store.readRange(ready, { start: 10, end: 19 })).equals(body.subarray(10, 20))).toBe(true);
    // Bytes replaced behind the store's back are not served as this file.
    await s3().send(new PutObjectCommand({ Bucket: rec!.bucket, Key: rec!.key, Body: randomBytes(body.length) }));
    await expectHttp(store.readRange(ready, { start: 10, end: 19 }), 409, /no longer matches/);
  });

  it('a single PUT of the wrong size is refused and can be redone', async () => {
    const body = randomBytes(1000);
    const ticket = await store.createUpload({ appId: 'appA', userId: `short-${run}`, fileName: 'a.bin', size: body.length, contentType: 'application/octet-stream' }, operator);
    if (!('upload' in ticket)) throw new Error('expected a single PUT');
    // S3 itself refuses this PUT (Content-Length is signed); fauxqs does not check signatures.
    await fetch(ticket.upload.url, { method: 'PUT', body: body.subarray(0, 999), headers: typeOnly(ticket.upload.headers) });
    await expectHttp(store.completeUpload(ticket.fileId, undefined, operator), 409, /999 bytes but 1000 were declared/);
    expect((await record(ticket.fileId))!.status).toBe('uploading');
    await put(ticket, body);
    expect((await store.completeUpload(ticket.fileId, undefined, operator)).status).toBe('ready');
  });

  it('multipart: parts through presigned URLs, checked part list, exact bytes', async () => {
    const body = randomBytes(17 * MIB + 12345);
    const ticket = await store.createUpload({ appId: 'appA', userId: `multi-${run}`, fileName: 'big.mp4', size: body.length, contentType: 'video/mp4' }, operator);
    if (!('parts' in ticket)) throw new Error('expected multipart');
    expect(ticket.partSize).toBe(8 * MIB);
    expect(ticket.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    expect(ticket.parts.map((p) => new URL(p.url).searchParams.get('X-Amz-SignedHeaders'))).toEqual(Array(3).fill('content-length;host'));
    const parts = (await put(ticket, body))!;
    await expectHttp(store.completeUpload(ticket.fileId, undefined, operator), 400, /body.parts/);
    await expectHttp(store.completeUpload(ticket.fileId, parts.slice(0, 2), operator), 400, /expected 3 parts/);
    const done = await store.completeUpload(ticket.fileId, parts, operator);
    expect(done.size).toBe(body.length);
    // A retry after the multipart upload is consumed still answers the ready file.
    expect((await store.completeUpload(ticket.fileId, parts, operator)).status).toBe('ready');
    const rec = await record(ticket.fileId);
    expect(rec!.uploadId).toBeUndefined();
    const got = await s3().send(new GetObjectCommand({ Bucket: rec!.bucket, Key: rec!.key, Range: 'bytes=8388600-8388620' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body.subarray(8388600, 8388621))).toBe(true);
  });

  it('multipart parts that add up to another size: the upload is discarded', async () => {
    const declared = 9 * MIB;
    const ticket = await store.createUpload({ appId: 'appA', userId: `liar-${run}`, fileName: 'x.bin', size: declared, contentType: 'application/octet-stream' }, operator);
    if (!('parts' in ticket)) throw new Error('expected multipart');
    const parts = (await put(ticket, randomBytes(declared - 10)))!;
    const rec = (await record(ticket.fileId))!;
    await expectHttp(store.completeUpload(ticket.fileId, parts, operator), 409, /discarded/);
    expect((await record(ticket.fileId))!.status).toBe('deleted');
    expect(await objectExists(rec.bucket, rec.key)).toBe(false);
  });

  it('delete: object and record gone, counters back, repeat is harmless, unknown is 404', async () => {
    const { ticket, done } = await upload('appA', `del-${run}`, randomBytes(5000));
    const rec = await record(done.fileId);
    const before = await counters();
    await expectHttp(store.deleteFile(done.fileId, { appId: 'appB' }), 404);
    const results = await Promise.all([store.deleteFile(done.fileId, operator), store.deleteFile(done.fileId, { appId: 'appA' })]);
    expect(results.every((r) => r.fileId === done.fileId)).toBe(true);
    expect(await store.deleteFile(done.fileId, operator)).toEqual({ fileId: done.fileId, already: true });
    const after = await counters();
    expect(before[ticket.group]!.files - after[ticket.group]!.files).toBe(1);
    expect(before[ticket.group]!.bytes - after[ticket.group]!.bytes).toBe(5000);
    expect(await objectExists(rec!.bucket, rec!.key)).toBe(false);
    const tomb = await record(done.fileId);
    expect(tomb).toMatchObject({ status: 'deleted' });
    expect(tomb!.userKey).toBeUndefined();
    expect(tomb!.key).toBeUndefined();
    expect(tomb!.expiresAt).toBeGreaterThan(Date.now() / 1000);
    await expectHttp(store.visible(done.fileId, operator), 404);
    await expectHttp(store.completeUpload(done.fileId, undefined, operator), 404);
    await expectHttp(store.deleteFile('0000000000000000000zz', operator), 404);
  });

  it('a delete interrupted after marking (crash) is finished by the sweep; counters move once', async () => {
    const { ticket, done } = await upload('appA', `crash-${run}`, randomBytes(4000));
    const rec = (await record(done.fileId))!;
    const before = await counters();
    // What deleteFile does first, then "crash": mark deleting and take the file out of the counters.
    const { files, groups } = makeStore().deps;
    await files.markDeleting(rec as unknown as FileRecord, groups.countIn(ticket.group, -1, -done.size));
    expect(await objectExists(rec.bucket, rec.key)).toBe(true);
    await expectHttp(store.visible(done.fileId, operator), 404);
    const stats = await store.sweep({ deleteGraceSeconds: 0, abandonAfterSeconds: 3600 });
    expect(stats.finished).toBeGreaterThanOrEqual(1);
    expect(await objectExists(rec.bucket, rec.key)).toBe(false);
    expect((await record(done.fileId))!.status).toBe('deleted');
    const after = await counters();
    expect(before[ticket.group]!.files - after[ticket.group]!.files).toBe(1);
  });

  it('abandoned uploads (single and multipart) are swept: no object, no upload, no ready record', async () => {
    const single = await store.createUpload({ appId: 'appA', userId: `gone-${run}`, fileName: 'a.bin', size: 100, contentType: 'application/octet-stream' }, operator);
    await put(single, randomBytes(100));
    const multi = await store.createUpload({ appId: 'appA', userId: `gone-${run}`, fileName: 'b.bin', size: 9 * MIB, contentType: 'application/octet-stream' }, operator);
    const before = await counters();
    const recs = [(await record(single.fileId))!, (await record(multi.fileId))!];
    // Not yet old enough.
    await store.sweep({ abandonAfterSeconds: 3600 });
    expect((await record(single.fileId))!.status).toBe('uploading');
    const stats = await store.sweep({ abandonAfterSeconds: 0 });
    expect(stats.abandoned).toBeGreaterThanOrEqual(2);
    for (const r of recs) {
      expect((await record(r.fileId))!.status).toBe('deleted');
      expect(await objectExists(r.bucket, r.key)).toBe(false);
    }
    const uploads = await s3().send(new ListMultipartUploadsCommand({ Bucket: recs[1]!.bucket }));
    expect((uploads.Uploads ?? []).map((u) => u.UploadId)).not.toContain(recs[1]!.uploadId);
    await expectHttp(store.completeUpload(single.fileId, undefined, operator), 404);
    expect(await counters()).toEqual(before);
  });

  it('many files completing and deleting at once in one group keep exact counters', async () => {
    const s = makeStore({ random: () => 0 });
    const user = `burst-${run}`;
    const before = await counters();
    const sizes = Array.from({ length: 12 }, (_, i) => 1000 + i);
    const files = await Promise.all(sizes.map((n) => upload('appA', user, randomBytes(n), s)));
    const group = files[0]!.ticket.group;
    const mid = await counters();
    expect(mid[group]!.files - before[group]!.files).toBe(12);
    expect(mid[group]!.bytes - before[group]!.bytes).toBe(sizes.reduce((a, b) => a + b, 0));
    await Promise.all(files.slice(0, 6).map((f) => s.deleteFile(f.done.fileId, operator)));
    const after = await counters();
    expect(after[group]!.files - before[group]!.files).toBe(6);
    expect(after[group]!.bytes - before[group]!.bytes).toBe(sizes.slice(6).reduce((a, b) => a + b, 0));
  });

  it("lists a user's ready files newest first, in pages, within its app", async () => {
    const user = `list-${run}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await upload('appA', user, randomBytes(10 + i))).done.fileId);
    await store.createUpload({ appId: 'appA', userId: user, fileName: 'pending.bin', size: 5, contentType: 'text/plain' }, operator); // not ready: not listed
    await store.deleteFile(made[2]!, operator);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listFiles({ appId: 'appA', userId: user, limit: 2, ...(cursor ? { cursor } : {}) }, { appId: 'appA' });
      expect(page.files.length).toBeLessThanOrEqual(2);
      seen.push(...page.files.map((f) => f.fileId));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual([made[4], made[3], made[1], made[0]]);
    await expectHttp(store.listFiles({ appId: 'appA', userId: user, limit: 2 }, { appId: 'appB' }), 403);
  });
});
