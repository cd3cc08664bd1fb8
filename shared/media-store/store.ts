import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { badRequest, conflict, forbidden, notFound, unavailable } from '../platform/errors.js';
import { pickGroup, type Group, type GroupConfig, type GroupStatus } from './groups.js';
import { encodeFileId, objectKey } from './ids.js';
import type { MediaObjects } from './objects.js';
import { isNoSuchUpload } from './object-errors.js';
import { isConditionFailure } from '../platform/dynamo.js';
import { decodeCursor as decode, encodeCursor } from '../platform/cursor.js';
import { MAX_FILE_SIZE, S3_MAX_SINGLE_PUT, checkParts, partRanges, uploadPlan } from './plan.js';
import type { ByteRange } from './range.js';

/**
 * The media store (seed 001 on S3 + DynamoDB): files, groups and the router.
 *
 * A file's life: `uploading` (record written, presigned URLs handed out) → `ready` (object checked;
 * group counters added in the same transaction) → `deleting` (counters taken back in the same
 * transaction) → `deleted` (object gone; a tombstone that expires). Each step is a conditional
 * write, so retries and the sweep can finish any step a crash interrupted, and counters move
 * exactly once per transition.
 */
export type FileStatus = 'uploading' | 'ready' | 'deleting' | 'deleted';

export interface FileRecord {
  fileId: string;
  appId: string;
  userId: string;
  group: string;
  bucket: string;
  key: string;
  fileName: string;
  size: number;
  contentType: string;
  status: FileStatus;
  createdAt: string;
  updatedAt: string;
  etag?: string;
  /** Multipart uploads only, while uploading. */
  uploadId?: string;
  partSize?: number;
  partCount?: number;
  /** byUser GSI key, set only while ready. */
  userKey?: string;
  /** byPending GSI keys, set only while uploading or deleting. */
  pending?: 'uploading' | 'deleting';
  pendingSince?: string;
  deletedAt?: string;
  /** Tombstones only (TTL, epoch seconds). */
  expiresAt?: number;
}

export interface FileView {
  fileId: string;
  appId: string;
  userId: string;
  group: string;
  fileName: string;
  size: number;
  contentType: string;
  etag?: string;
  status: FileStatus;
  createdAt: string;
  updatedAt: string;
}

export interface MediaCaller {
  /** Set for app-bound API keys: such a caller sees only its app's files. */
  appId?: string;
}

export interface NewUpload {
  appId: string;
  userId: string;
  fileName: string;
  size: number;
  contentType: string;
}

export type UploadTicket =
  | { fileId: string; group: string; expiresAt: string; upload: { method: 'PUT'; url: string; headers: Record<string, string> } }
  | { fileId: string; group: string; expiresAt: string; uploadId: string; partSize: number; parts: Array<{ partNumber: number; url: string }> };

export interface MediaStoreOptions {
  ddb: DynamoDBDocumentClient;
  /** Object side: s3Objects(s3()) or, for link-only functions, linkObjects. */
  objects: MediaObjects;
  filesTable: string;
  groupsTable?: string;
  routesTable?: string;
  /** Groups from configuration, seeded into the groups table at first use. */
  groups?: GroupConfig[];
  /** Next unique sequence number (the ID allocator). */
  nextSeq?: () => Promise<number>;
  /** Files above this size are uploaded in parts (default 64 MiB). */
  multipartThreshold?: number;
  /** Lifetime of presigned download URLs (default 15 min). */
  downloadUrlSeconds?: number;
  /** Lifetime of presigned upload URLs (default 6 h). */
  uploadUrlSeconds?: number;
  /** Uploads not completed after this long are swept (default 24 h). */
  abandonAfterSeconds?: number;
  /** Deletes still `deleting` after this long are finished by the sweep (default 5 min). */
  deleteGraceSeconds?: number;
  /** How long a tombstone answers a repeated DELETE (default 30 days). */
  tombstoneSeconds?: number;
  now?: () => number;
  random?: () => number;
}

const MIN = 60;
const DAY = 24 * 60 * MIN;

export class MediaStore {
  private readonly o: Required<Omit<MediaStoreOptions, 'groupsTable' | 'routesTable' | 'groups' | 'nextSeq'>> & MediaStoreOptions;
  private seeded: Promise<void> | undefined;

  constructor(opts: MediaStoreOptions) {
    this.o = {
      multipartThreshold: 64 * 1024 * 1024,
      downloadUrlSeconds: 15 * MIN,
      uploadUrlSeconds: 6 * 60 * MIN,
      abandonAfterSeconds: DAY,
      deleteGraceSeconds: 5 * MIN,
      tombstoneSeconds: 30 * DAY,
      now: Date.now,
      random: Math.random,
      ...opts,
    };
    if (this.o.multipartThreshold > S3_MAX_SINGLE_PUT) throw new Error('multipartThreshold is above what S3 accepts in one PUT (5 GiB)');
  }

  // ---- groups and routing -------------------------------------------------------------------

  private need<K extends 'groupsTable' | 'routesTable' | 'groups' | 'nextSeq'>(k: K): NonNullable<MediaStoreOptions[K]> {
    const v = this.o[k];
    if (v === undefined) throw new Error(`media store: ${k} is not configured for this function`);
    return v as NonNullable<MediaStoreOptions[K]>;
  }

  /** Configured groups exist in the table; what is there already (status, counters) is kept. */
  ensureGroups(): Promise<void> {
    const table = this.need('groupsTable');
    const groups = this.need('groups');
    this.seeded ??= Promise.all(groups.map((g) => this.o.ddb.send(new UpdateCommand({
      TableName: table,
      Key: { name: g.name },
      UpdateExpression: 'SET #b = if_not_exists(#b, :b), #s = if_not_exists(#s, :active), #f = if_not_exists(#f, :zero), #y = if_not_exists(#y, :zero), #c = if_not_exists(#c, :now)',
      ExpressionAttributeNames: { '#b': 'bucket', '#s': 'status', '#f': 'files', '#y': 'bytes', '#c': 'createdAt' },
      ExpressionAttributeValues: { ':b': g.bucket, ':active': 'active', ':zero': 0, ':now': this.iso() },
    })))).then(() => undefined, (err) => {
      this.seeded = undefined;
      throw err;
    });
    return this.seeded;
  }

  async listGroups(): Promise<Group[]> {
    await this.ensureGroups();
    const out: Group[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.o.ddb.send(new ScanCommand({ TableName: this.need('groupsTable'), ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
      for (const it of r.Items ?? []) out.push(toGroup(it));
      start = r.LastEvaluatedKey;
    } while (start);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async getGroup(name: string): Promise<Group | undefined> {
    await this.ensureGroups();
    const r = await this.o.ddb.send(new GetCommand({ TableName: this.need('groupsTable'), Key: { name } }));
    return r.Item ? toGroup(r.Item) : undefined;
  }

  /**
   * The user's group (the seed's router). A new user gets a random active group; a conditional
   * put makes concurrent first uploads agree on one. It never changes afterwards.
   */
  async routeOf(appId: string, userId: string): Promise<Group> {
    const table = this.need('routesTable');
    const key = { appId, userId };
    let name = (await this.o.ddb.send(new GetCommand({ TableName: table, Key: key }))).Item?.group as string | undefined;
    if (!name) {
      const chosen = pickGroup(await this.listGroups(), this.o.random);
      if (!chosen) throw unavailable('no storage group accepts new users (all are read-only)', 'NoActiveGroup');
      try {
        await this.o.ddb.send(new PutCommand({
          TableName: table,
          Item: { ...key, group: chosen.name, createdAt: this.iso() },
          ConditionExpression: 'attribute_not_exists(userId)',
        }));
        name = chosen.name;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        name = (await this.o.ddb.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item?.group as string;
      }
    }
    const group = await this.getGroup(name);
    if (!group) throw new Error(`user ${appId}/${userId} is routed to unknown group ${name}`);
    return group;
  }

  // ---- upload ---------------------------------------------------------------------------------

  async createUpload(input: NewUpload, caller: MediaCaller): Promise<UploadTicket> {
    if (caller.appId && caller.appId !== input.appId) {
      throw forbidden(`this API key belongs to app ${caller.appId}: it cannot upload for app ${input.appId}`);
    }
    if (!(Number.isSafeInteger(input.size) && input.size > 0 && input.size <= MAX_FILE_SIZE)) {
      throw badRequest(`size must be between 1 and ${MAX_FILE_SIZE} bytes`, [{ path: 'body.size', message: 'out of range' }]);
    }
    const group = await this.routeOf(input.appId, input.userId);
    if (group.status !== 'active') throw conflict(`storage group ${group.name} of user ${input.userId} is read-only: it accepts no new files`);
    const seq = await this.need('nextSeq')();
    const now = this.o.now();
    const fileId = encodeFileId(now, seq);
    const key = objectKey(fileId, input.fileName);
    const plan = uploadPlan(input.size, this.o.multipartThreshold);
    const expiresAt = new Date(now + this.o.uploadUrlSeconds * 1000).toISOString();
    const record: FileRecord = {
      fileId,
      appId: input.appId,
      userId: input.userId,
      group: group.name,
      bucket: group.bucket,
      key,
      fileName: input.fileName,
      size: input.size,
      contentType: input.contentType,
      status: 'uploading',
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      pending: 'uploading',
      pendingSince: new Date(now).toISOString(),
    };
    let ticket: UploadTicket;
    if (plan.kind === 'single') {
      const url = await this.o.objects.presignPut(group.bucket, key, input.contentType, input.size, this.o.uploadUrlSeconds);
      ticket = { fileId, group: group.name, expiresAt, upload: { method: 'PUT', url, headers: { 'content-type': input.contentType, 'content-length': String(input.size) } } };
    } else {
      // An upload created here but never recorded (crash) is aborted by the bucket's lifecycle rule.
      const uploadId = await this.o.objects.createMultipart(group.bucket, key, input.contentType);
      Object.assign(record, { uploadId, partSize: plan.partSize, partCount: plan.partCount });
      const parts = await Promise.all(partRanges(input.size, plan.partSize).map(async (p) => ({
        partNumber: p.partNumber,
        url: await this.o.objects.presignPart(group.bucket, key, uploadId, p.partNumber, p.end - p.start, this.o.uploadUrlSeconds),
      })));
      ticket = { fileId, group: group.name, expiresAt, uploadId, partSize: plan.partSize, parts };
    }
    await this.o.ddb.send(new PutCommand({ TableName: this.o.filesTable, Item: record, ConditionExpression: 'attribute_not_exists(fileId)' }));
    return ticket;
  }

  /**
   * Checks the object is there with the declared size, then marks the file ready and counts it in
   * its group. Idempotent: completing a ready file answers it again.
   */
  async completeUpload(fileId: string, parts: Array<{ partNumber: number; etag: string }> | undefined, caller: MediaCaller): Promise<FileView> {
    const rec = await this.visible(fileId, caller, ['uploading', 'ready', 'deleting']);
    if (rec.status === 'ready') return view(rec);
    if (rec.status === 'deleting') throw conflict(`file ${fileId} is being deleted`);
    if (rec.uploadId) {
      if (!parts) throw badRequest('a multipart upload is completed with body.parts: [{ partNumber, etag }]', [{ path: 'body.parts', message: 'required' }]);
      const problem = checkParts(parts, rec.partCount ?? 0);
      if (problem) throw badRequest(`invalid body.parts: ${problem}`, [{ path: 'body.parts', message: problem }]);
      try {
        await this.o.objects.completeMultipart(rec.bucket, rec.key, rec.uploadId, parts);
      } catch (err) {
        const name = (err as Error).name;
        if (['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall'].includes(name)) {
          throw badRequest(`S3 refused the parts (${name}): ${(err as Error).message}`, [{ path: 'body.parts', message: name }]);
        }
        // NoSuchUpload: an earlier attempt completed it (or it was aborted): the object tells which.
        if (!isNoSuchUpload(err)) throw err;
      }
    }
    const head = await this.o.objects.headObject(rec.bucket, rec.key);
    if (!head) {
      throw conflict(rec.uploadId
        ? `the multipart upload of ${fileId} no longer exists (aborted or expired): start a new upload`
        : `nothing was uploaded for ${fileId} yet: PUT the file to the upload URL, then complete`);
    }
    if (head.size !== rec.size) {
      if (rec.uploadId) {
        await this.deleteRecord(rec);
        throw conflict(`the uploaded object has ${head.size} bytes but ${rec.size} were declared: the upload is discarded, start a new one`);
      }
      throw conflict(`the uploaded object has ${head.size} bytes but ${rec.size} were declared: PUT the whole file again, then complete`);
    }
    await this.ensureGroups();
    const now = this.iso();
    try {
      await this.transact([
        {
          Update: {
            TableName: this.o.filesTable,
            Key: { fileId },
            UpdateExpression: 'SET #s = :ready, etag = :etag, updatedAt = :now, userKey = :uk REMOVE pending, pendingSince, uploadId',
            ConditionExpression: '#s = :uploading',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':ready': 'ready', ':uploading': 'uploading', ':etag': head.etag, ':now': now, ':uk': userKey(rec.appId, rec.userId) },
          },
        },
        this.countIn(rec.group, 1, rec.size),
      ]);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const again = await this.getRecord(fileId);
      if (again?.status === 'ready') return view(again);
      throw conflict(`file ${fileId} is ${again?.status ?? 'gone'}: it can no longer be completed`);
    }
    return view({ ...rec, status: 'ready', etag: head.etag, updatedAt: now });
  }

  // ---- read -----------------------------------------------------------------------------------

  async getRecord(fileId: string): Promise<FileRecord | undefined> {
    const r = await this.o.ddb.send(new GetCommand({ TableName: this.o.filesTable, Key: { fileId }, ConsistentRead: true }));
    return r.Item as FileRecord | undefined;
  }

  /** The file if this caller may see it in one of `states`; otherwise 404 (never 403: no probing other apps' IDs). */
  async visible(fileId: string, caller: MediaCaller, states: FileStatus[] = ['ready']): Promise<FileRecord> {
    const rec = await this.getRecord(fileId);
    if (!rec || (caller.appId && rec.appId !== caller.appId)) throw notFound(`file ${fileId} not found`);
    if (!states.includes(rec.status)) {
      throw notFound(rec.status === 'uploading' ? `file ${fileId} is not ready: its upload was not completed` : `file ${fileId} not found`);
    }
    return rec;
  }

  downloadUrl(rec: FileRecord): Promise<string> {
    return this.o.objects.presignGet(rec.bucket, rec.key, rec.contentType, this.o.downloadUrlSeconds);
  }

  async readRange(rec: FileRecord, range: ByteRange): Promise<Buffer> {
    try {
      return await this.o.objects.readRange(rec.bucket, rec.key, range, rec.etag);
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) {
        throw conflict(`the stored object of ${rec.fileId} no longer matches its record (ETag ${rec.etag})`);
      }
      throw err;
    }
  }

  async listFiles(q: { appId: string; userId: string; limit: number; cursor?: string }, caller: MediaCaller): Promise<{ files: FileView[]; cursor?: string }> {
    if (caller.appId && caller.appId !== q.appId) throw forbidden(`this API key belongs to app ${caller.appId}: it cannot list app ${q.appId}`);
    const uk = userKey(q.appId, q.userId);
    const start = q.cursor === undefined ? undefined : decodeCursor(q.cursor, uk);
    const r = await this.o.ddb.send(new QueryCommand({
      TableName: this.o.filesTable,
      IndexName: 'byUser',
      KeyConditionExpression: 'userKey = :uk',
      ExpressionAttributeValues: { ':uk': uk },
      ScanIndexForward: false, // newest first: file IDs sort by time
      Limit: q.limit,
      ...(start ? { ExclusiveStartKey: start } : {}),
    }));
    const files = (r.Items ?? []).map((it) => view(it as FileRecord));
    return { files, ...(r.LastEvaluatedKey ? { cursor: encodeCursor(r.LastEvaluatedKey) } : {}) };
  }

  // ---- delete ---------------------------------------------------------------------------------

  /** Deletes object and record. Idempotent: a deleted file answers `already: true`; an unknown one 404. */
  async deleteFile(fileId: string, caller: MediaCaller): Promise<{ fileId: string; already: boolean }> {
    const rec = await this.getRecord(fileId);
    if (!rec || (caller.appId && rec.appId !== caller.appId)) throw notFound(`file ${fileId} not found`);
    if (rec.status === 'deleted') return { fileId, already: true };
    await this.deleteRecord(rec);
    return { fileId, already: false };
  }

  /** Marks the file `deleting` (taking it out of its group's counters if it was ready), then finishes. */
  private async deleteRecord(rec: FileRecord): Promise<void> {
    let current: FileRecord | undefined = rec;
    for (let attempt = 0; current && current.status !== 'deleting' && current.status !== 'deleted'; attempt++) {
      if (attempt === 5) throw new Error(`file ${rec.fileId} keeps changing state`);
      try {
        await this.markDeleting(current);
        current = { ...current, status: 'deleting' };
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        current = await this.getRecord(rec.fileId); // completed or deleted meanwhile
      }
    }
    if (current?.status === 'deleting') await this.finishDelete(current);
  }

  private async markDeleting(rec: FileRecord): Promise<void> {
    const now = this.iso();
    const update = {
      TableName: this.o.filesTable,
      Key: { fileId: rec.fileId },
      UpdateExpression: 'SET #s = :deleting, pending = :deleting, pendingSince = :now, updatedAt = :now REMOVE userKey',
      ConditionExpression: '#s = :was',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':deleting': 'deleting', ':now': now, ':was': rec.status },
    };
    if (rec.status === 'ready') {
      await this.ensureGroups();
      await this.transact([{ Update: update }, this.countIn(rec.group, -1, -rec.size)]);
    } else {
      await this.o.ddb.send(new UpdateCommand(update));
    }
  }

  /** Object first, then the record: a crash in between leaves a `deleting` record for the sweep. */
  private async finishDelete(rec: FileRecord): Promise<void> {
    if (rec.uploadId) await this.o.objects.abortMultipart(rec.bucket, rec.key, rec.uploadId);
    await this.o.objects.deleteObject(rec.bucket, rec.key);
    const now = this.o.now();
    try {
      await this.o.ddb.send(new PutCommand({
        TableName: this.o.filesTable,
        Item: {
          fileId: rec.fileId,
          appId: rec.appId,
          userId: rec.userId,
          group: rec.group,
          size: rec.size,
          status: 'deleted',
          createdAt: rec.createdAt,
          updatedAt: new Date(now).toISOString(),
          deletedAt: new Date(now).toISOString(),
          expiresAt: Math.floor(now / 1000) + this.o.tombstoneSeconds,
        },
        ConditionExpression: '#s = :deleting',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':deleting': 'deleting' },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // finished by someone else
    }
  }

  /**
   * Finishes what was left half done: uploads never completed within `abandonAfterSeconds`
   * (object and record removed) and deletes interrupted for longer than `deleteGraceSeconds`.
   */
  async sweep(opts: { abandonAfterSeconds?: number; deleteGraceSeconds?: number } = {}): Promise<{ abandoned: number; finished: number; failed: number }> {
    const now = this.o.now();
    const before = (s: number) => new Date(now - s * 1000).toISOString();
    const stats = { abandoned: 0, finished: 0, failed: 0 };
    const run = async (pending: 'uploading' | 'deleting', cutoff: string, stat: 'abandoned' | 'finished') => {
      let start: Record<string, unknown> | undefined;
      do {
        const r = await this.o.ddb.send(new QueryCommand({
          TableName: this.o.filesTable,
          IndexName: 'byPending',
          KeyConditionExpression: '#p = :p AND #ps < :cutoff',
          ExpressionAttributeNames: { '#p': 'pending', '#ps': 'pendingSince' },
          ExpressionAttributeValues: { ':p': pending, ':cutoff': cutoff },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }));
        for (const item of r.Items ?? []) {
          try {
            const rec = await this.getRecord(String(item.fileId)); // the index lags; the table decides
            if (rec?.status !== pending) continue;
            await this.deleteRecord(rec);
            stats[stat]++;
          } catch {
            stats.failed++;
          }
        }
        start = r.LastEvaluatedKey;
      } while (start);
    };
    await run('uploading', before(opts.abandonAfterSeconds ?? this.o.abandonAfterSeconds), 'abandoned');
    await run('deleting', before(opts.deleteGraceSeconds ?? this.o.deleteGraceSeconds), 'finished');
    return stats;
  }

  // ---- helpers --------------------------------------------------------------------------------

  private countIn(group: string, files: number, bytes: number) {
    return {
      Update: {
        TableName: this.need('groupsTable'),
        Key: { name: group },
        UpdateExpression: 'ADD #f :f, #y :y',
        ConditionExpression: 'attribute_exists(#n)',
        ExpressionAttributeNames: { '#f': 'files', '#y': 'bytes', '#n': 'name' },
        ExpressionAttributeValues: { ':f': files, ':y': bytes },
      },
    };
  }

  /** Every file of a group touches its counter item: concurrent transactions conflict and are retried. */
  private async transact(items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.o.ddb.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (err) {
        if (!isTransactionConflict(err) || attempt >= 8) throw err;
        await sleep(Math.random() * 25 * 2 ** Math.min(attempt, 5));
      }
    }
  }

  private iso(): string {
    return new Date(this.o.now()).toISOString();
  }
}

export const userKey = (appId: string, userId: string) => `${appId}#${userId}`;

export function view(r: FileRecord): FileView {
  return {
    fileId: r.fileId,
    appId: r.appId,
    userId: r.userId,
    group: r.group,
    fileName: r.fileName,
    size: r.size,
    contentType: r.contentType,
    ...(r.etag ? { etag: r.etag } : {}),
    status: r.status,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function toGroup(it: Record<string, unknown>): Group {
  return {
    name: String(it.name),
    bucket: String(it.bucket),
    status: (it.status === 'readonly' ? 'readonly' : 'active') as GroupStatus,
    files: Number(it.files ?? 0),
    bytes: Number(it.bytes ?? 0),
  };
}

export { encodeCursor };

/** A cursor is only good for the listing it came from (the caller's user key). */
export function decodeCursor(cursor: string, uk: string): Record<string, unknown> {
  const key = decode(cursor, z.strictObject({ userKey: z.literal(uk), fileId: z.string() }));
  if (!key) throw badRequest('invalid cursor: pass back the cursor of the previous page unchanged', [{ path: 'query.cursor', message: 'invalid' }]);
  return key;
}

function isTransactionConflict(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> };
  if (e?.name === 'TransactionConflictException') return true;
  return e?.name === 'TransactionCanceledException' && !isConditionFailure(err) &&
    Boolean(e.CancellationReasons?.some((r) => r.Code === 'TransactionConflict'));
}
