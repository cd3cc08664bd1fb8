import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, queryPages, scanAll, transactWrite, type TransactItem } from '../platform/dynamo.js';
import { iso } from '../platform/time.js';
import type { Group, GroupConfig, GroupStatus } from './groups.js';
import type { FileRecord } from './records.js';

/** The media store's tables. Each repository is given its client (tests, the bench) and clock. */
interface Table {
  ddb: DynamoDBDocumentClient;
  table: string;
  now: () => number;
}

/** Storage groups (MEDIA_GROUPS_TABLE): configured groups, seeded at first use, and their counters. */
export function groupsRepo(o: Table & { groups: GroupConfig[] }) {
  let seeded: Promise<void> | undefined;
  /** Configured groups exist in the table; what is there already (status, counters) is kept. */
  const ensure = (): Promise<void> => {
    seeded ??= Promise.all(o.groups.map((g) => o.ddb.send(new UpdateCommand({
      TableName: o.table,
      Key: { name: g.name },
      UpdateExpression: 'SET #b = if_not_exists(#b, :b), #s = if_not_exists(#s, :active), #f = if_not_exists(#f, :zero), #y = if_not_exists(#y, :zero), #c = if_not_exists(#c, :now)',
      ExpressionAttributeNames: { '#b': 'bucket', '#s': 'status', '#f': 'files', '#y': 'bytes', '#c': 'createdAt' },
      ExpressionAttributeValues: { ':b': g.bucket, ':active': 'active', ':zero': 0, ':now': new Date(o.now()).toISOString() },
    })))).then(() => undefined, (err) => {
      seeded = undefined;
      throw err;
    });
    return seeded;
  };
  return {
    ensure,
    async list(): Promise<Group[]> {
      await ensure();
      const items = await scanAll<Record<string, unknown>>({ TableName: o.table, ConsistentRead: true }, { client: o.ddb });
      return items.map(toGroup).sort((a, b) => a.name.localeCompare(b.name));
    },
    async get(name: string): Promise<Group | undefined> {
      await ensure();
      const r = await o.ddb.send(new GetCommand({ TableName: o.table, Key: { name } }));
      return r.Item ? toGroup(r.Item) : undefined;
    },
    /** A transaction item moving a group's counters with a file's transition (the group must exist). */
    countIn(group: string, files: number, bytes: number): TransactItem {
      return {
        Update: {
          TableName: o.table,
          Key: { name: group },
          UpdateExpression: 'ADD #f :f, #y :y',
          ConditionExpression: 'attribute_exists(#n)',
          ExpressionAttributeNames: { '#f': 'files', '#y': 'bytes', '#n': 'name' },
          ExpressionAttributeValues: { ':f': files, ':y': bytes },
        },
      };
    },
  };
}
export type GroupsRepo = ReturnType<typeof groupsRepo>;

function toGroup(it: Record<string, unknown>): Group {
  return {
    name: String(it.name),
    bucket: String(it.bucket),
    status: (it.status === 'readonly' ? 'readonly' : 'active') as GroupStatus,
    files: Number(it.files ?? 0),
    bytes: Number(it.bytes ?? 0),
  };
}

/** The router's table (MEDIA_ROUTES_TABLE): a user's group, written once. */
export function routesRepo(o: Table) {
  const get = async (appId: string, userId: string, consistent = false): Promise<string | undefined> => {
    const r = await o.ddb.send(new GetCommand({ TableName: o.table, Key: { appId, userId }, ...(consistent ? { ConsistentRead: true } : {}) }));
    return r.Item?.group as string | undefined;
  };
  return {
    get,
    /** Routes a new user to `group`; a conditional put makes concurrent first uploads agree. The group it is routed to. */
    async claim(appId: string, userId: string, group: string): Promise<string> {
      try {
        await o.ddb.send(new PutCommand({
          TableName: o.table,
          Item: { appId, userId, group, createdAt: new Date(o.now()).toISOString() },
          ConditionExpression: 'attribute_not_exists(userId)',
        }));
        return group;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        return (await get(appId, userId, true))!;
      }
    },
  };
}
export type RoutesRepo = ReturnType<typeof routesRepo>;

/** Files (MEDIA_FILES_TABLE): every state change a conditional write; counter moves in the same transaction. */
export function filesRepo(o: Table & { tombstoneSeconds: number }) {
  return {
    async get(fileId: string): Promise<FileRecord | undefined> {
      const r = await o.ddb.send(new GetCommand({ TableName: o.table, Key: { fileId }, ConsistentRead: true }));
      return r.Item as FileRecord | undefined;
    },
    async create(record: FileRecord): Promise<void> {
      await o.ddb.send(new PutCommand({ TableName: o.table, Item: record, ConditionExpression: 'attribute_not_exists(fileId)' }));
    },
    /** uploading → ready, with its group's counters; false when the file was no longer uploading. Returns when it was marked. */
    async markReady(rec: FileRecord, etag: string, userKey: string, count: TransactItem): Promise<string | false> {
      const now = iso(o.now());
      try {
        await transactWrite([
          {
            Update: {
              TableName: o.table,
              Key: { fileId: rec.fileId },
              UpdateExpression: 'SET #s = :ready, etag = :etag, updatedAt = :now, userKey = :uk REMOVE pending, pendingSince, uploadId',
              ConditionExpression: '#s = :uploading',
              ExpressionAttributeNames: { '#s': 'status' },
              ExpressionAttributeValues: { ':ready': 'ready', ':uploading': 'uploading', ':etag': etag, ':now': now, ':uk': userKey },
            },
          },
          count,
        ], { client: o.ddb });
        return now;
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        return false;
      }
    },
    /** `rec.status` → deleting (with `count` taking a ready file out of its group). A changed status throws a condition failure. */
    async markDeleting(rec: FileRecord, count?: TransactItem): Promise<void> {
      const now = iso(o.now());
      const update = {
        TableName: o.table,
        Key: { fileId: rec.fileId },
        UpdateExpression: 'SET #s = :deleting, pending = :deleting, pendingSince = :now, updatedAt = :now REMOVE userKey',
        ConditionExpression: '#s = :was',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':deleting': 'deleting', ':now': now, ':was': rec.status },
      };
      if (count) await transactWrite([{ Update: update }, count], { client: o.ddb });
      else await o.ddb.send(new UpdateCommand(update));
    },
    /** deleting → deleted: a tombstone that answers repeated DELETEs until it expires. */
    async tombstone(rec: FileRecord): Promise<void> {
      const now = o.now();
      try {
        await o.ddb.send(new PutCommand({
          TableName: o.table,
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
            expiresAt: Math.floor(now / 1000) + o.tombstoneSeconds,
          },
          ConditionExpression: '#s = :deleting',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':deleting': 'deleting' },
        }));
      } catch (err) {
        if (!isConditionFailure(err)) throw err; // finished by someone else
      }
    },
    /** A user's ready files, newest first (file IDs sort by time), one page from `start`. */
    async listByUser(uk: string, limit: number, start?: Record<string, unknown>): Promise<{ items: FileRecord[]; last?: Record<string, unknown> }> {
      const r = await o.ddb.send(new QueryCommand({
        TableName: o.table,
        IndexName: 'byUser',
        KeyConditionExpression: 'userKey = :uk',
        ExpressionAttributeValues: { ':uk': uk },
        ScanIndexForward: false,
        Limit: limit,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }));
      return { items: (r.Items ?? []) as FileRecord[], ...(r.LastEvaluatedKey ? { last: r.LastEvaluatedKey } : {}) };
    },
    /** IDs of files `pending` since before `cutoff`, page by page (the index lags: read the record before acting). */
    pendingSince(pending: 'uploading' | 'deleting', cutoff: string): AsyncGenerator<Array<{ fileId: string }>> {
      return queryPages<{ fileId: string }>({
        TableName: o.table,
        IndexName: 'byPending',
        KeyConditionExpression: '#p = :p AND #ps < :cutoff',
        ExpressionAttributeNames: { '#p': 'pending', '#ps': 'pendingSince' },
        ExpressionAttributeValues: { ':p': pending, ':cutoff': cutoff },
      }, { client: o.ddb });
    },
  };
}
export type FilesRepo = ReturnType<typeof filesRepo>;
