/**
 * Durable home of a model's vector index (the `IndexStore` of shared/vectors):
 * - changelog in DynamoDB: one item per change, `pk = log#<model>`, `sk = version`; versions come from one
 *   atomic counter on the head item (`pk = head#<model>`, `sk = 0`), so any number of workers append
 *   without a lock;
 * - snapshots in S3 (`index/<model>/snapshot-<version>.bin`), the current one named by the head item,
 *   which only ever moves forward (conditional update).
 *
 * The subtle part is reading the log while others append. Versions are reserved (counter) before their
 * items are written, so a reader can see version v+1 before v. Skipping v would lose it forever, so
 * `changesSince` stops at the first hole unless the hole is dead: its writer reserved it before the
 * next item was written, and a writer gives up within WRITE_DEADLINE_MS, so once the next item is
 * older than `graceMs` (> the deadline) nothing can fill the hole any more.
 *
 * Truncation (after a snapshot) raises `truncatedTo` on the head *before* deleting items, and readers
 * read the head *after* their query: a reader whose position is below it gets `StaleIndexError` and
 * must reload the snapshot, instead of mistaking deleted items for dead holes.
 */
import {
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { IndexSnapshot, IndexStore, LoggedChange, VectorChange } from '../vectors/index.js';
import { decodeEmbeddings, encodeEmbeddings } from './records.js';
import { ddb } from '../platform/aws.js';
import { isConditionFailure, queryPage } from '../platform/dynamo.js';
import type { SnapshotObjects } from './snapshots.js';

/** A writer stops retrying its log items after this long (its versions then become dead holes). */
export const WRITE_DEADLINE_MS = 20_000;
/** Readers wait this long for a hole to fill before skipping it. Must exceed WRITE_DEADLINE_MS. */
export const DEFAULT_GRACE_MS = 60_000;

/** The reader's position was truncated away: reload from the latest snapshot. */
export class StaleIndexError extends Error {
  constructor(readonly since: number, readonly truncatedTo: number) {
    super(`index position ${since} is behind the truncated log (${truncatedTo}): reload the snapshot`);
    this.name = 'StaleIndexError';
  }
}

/** A log entry as read back: the change, its version, and when it was written. */
export type StoredChange = LoggedChange & { writtenAt: number };

/**
 * The changes a reader at `since` may apply now: the run that follows `since` without holes, extended
 * past a hole only when the hole is dead (see above). `entries` ascend by version.
 */
export function contiguousChanges<T extends { version: number; writtenAt: number }>(entries: readonly T[], since: number, now: number, graceMs: number): T[] {
  const out: T[] = [];
  let expected = since + 1;
  for (const e of entries) {
    if (e.version < expected) continue; // at or below the position (overlapping page)
    if (e.version > expected && now - e.writtenAt < graceMs) break; // a live hole: wait for it
    out.push(e);
    expected = e.version + 1;
  }
  return out;
}

export interface HeadItem {
  next?: number;
  truncatedTo?: number;
  snapshotVersion?: number;
  snapshotKey?: string;
  previousSnapshotKey?: string;
  snapshotAt?: number;
}

export interface DynamoIndexStoreOptions {
  ddb: DynamoDBDocumentClient;
  /** Snapshot objects: s3Snapshots(s3()), or logOnly (below) where a function only appends. */
  objects: SnapshotObjects;
  table: string;
  bucket: string;
  /** Model id: each model has its own log and snapshots (embeddings of different models don't mix). */
  model: string;
  /** Needed to encode/decode upserts; removals alone (e.g. DELETE) work without it. */
  dimension?: number;
  graceMs?: number;
  now?: () => number;
}

export class DynamoIndexStore implements IndexStore {
  private readonly graceMs: number;
  private readonly now: () => number;
  private readonly headKey: { pk: string; sk: number };
  private readonly logPk: string;

  constructor(private readonly o: DynamoIndexStoreOptions) {
    this.graceMs = o.graceMs ?? DEFAULT_GRACE_MS;
    this.now = o.now ?? Date.now;
    this.headKey = { pk: `head#${o.model}`, sk: 0 };
    this.logPk = `log#${o.model}`;
  }

  get model(): string {
    return this.o.model;
  }

  async head(): Promise<HeadItem> {
    const r = await this.o.ddb.send(new GetCommand({ TableName: this.o.table, Key: this.headKey, ConsistentRead: true }));
    return (r.Item ?? {}) as HeadItem;
  }

  async getSnapshot(): Promise<IndexSnapshot | undefined> {
    // The pointer can move (and the object behind an old pointer be deleted) between our two reads.
    for (let attempt = 0; attempt < 3; attempt++) {
      const head = await this.head();
      if (!head.snapshotKey || head.snapshotVersion === undefined) return undefined;
      try {
        return { version: head.snapshotVersion, bytes: await this.o.objects.download(this.o.bucket, head.snapshotKey) };
      } catch (err) {
        if ((err as Error).name !== 'NoSuchKey') throw err;
      }
    }
    throw new Error(`snapshot of ${this.o.model} keeps moving or is missing`);
  }

  async putSnapshot(snapshot: IndexSnapshot): Promise<void> {
    const key = `index/${encodeURIComponent(this.o.model)}/snapshot-${String(snapshot.version).padStart(15, '0')}-${this.now()}.bin`;
    await this.o.objects.upload(this.o.bucket, key, snapshot.bytes);
    let old: HeadItem | undefined;
    try {
      const r = await this.o.ddb.send(new UpdateCommand({
        TableName: this.o.table,
        Key: this.headKey,
        UpdateExpression: 'SET snapshotVersion = :v, snapshotKey = :k, previousSnapshotKey = if_not_exists(snapshotKey, :none), snapshotAt = :now',
        ConditionExpression: 'attribute_not_exists(snapshotVersion) OR snapshotVersion < :v',
        ExpressionAttributeValues: { ':v': snapshot.version, ':k': key, ':now': this.now(), ':none': '' },
        ReturnValues: 'ALL_OLD',
      }));
      old = r.Attributes as HeadItem | undefined;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // A newer snapshot is in place already: ours is useless.
      await this.o.objects.remove(this.o.bucket, key);
      return;
    }
    // Keep the previous snapshot (a reader may be loading it right now); the one before goes.
    if (old?.previousSnapshotKey) await this.o.objects.remove(this.o.bucket, old.previousSnapshotKey);
  }

  async append(changes: readonly VectorChange[]): Promise<number> {
    if (!changes.length) return (await this.head()).next ?? 0;
    const r = await this.o.ddb.send(new UpdateCommand({
      TableName: this.o.table,
      Key: this.headKey,
      UpdateExpression: 'ADD #next :n',
      ExpressionAttributeNames: { '#next': 'next' },
      ExpressionAttributeValues: { ':n': changes.length },
      ReturnValues: 'UPDATED_NEW',
    }));
    const last = Number(r.Attributes?.next);
    const first = last - changes.length + 1;
    const writtenAt = this.now();
    const items = changes.map((c, i) => ({
      pk: this.logPk,
      sk: first + i,
      op: c.op,
      id: c.id,
      writtenAt,
      ...(c.op === 'upsert' ? { vector: encodeEmbeddings([c.vector], this.dimension()) } : {}),
    }));
    await this.batchWrite(items.map((Item) => ({ PutRequest: { Item } })), writtenAt + WRITE_DEADLINE_MS);
    return last;
  }

  async changesSince(since: number, limit = 1000): Promise<LoggedChange[]> {
    // Fast path for the common case (nothing new): one GetItem instead of Query + GetItem.
    const before = await this.head();
    if (since < (before.truncatedTo ?? 0)) throw new StaleIndexError(since, before.truncatedTo ?? 0);
    if ((before.next ?? 0) <= since) return [];
    const raw = await this.readLog(since, limit);
    const head = await this.head();
    if (since < (head.truncatedTo ?? 0)) throw new StaleIndexError(since, head.truncatedTo ?? 0);
    return contiguousChanges(raw, since, this.now(), this.graceMs).map(({ writtenAt: _, ...c }) => c as LoggedChange);
  }

  /** Log entries above `since` as stored, holes and all (for diagnostics and tests). */
  async readLog(since: number, limit = 1000): Promise<StoredChange[]> {
    const { items } = await queryPage<Record<string, unknown>>({
      TableName: this.o.table,
      KeyConditionExpression: 'pk = :pk AND sk > :since',
      ExpressionAttributeValues: { ':pk': this.logPk, ':since': since },
      ConsistentRead: true,
    }, { limit }, { client: this.o.ddb });
    return items.map((item) => this.toChange(item));
  }

  async truncate(upTo: number): Promise<void> {
    try {
      await this.o.ddb.send(new UpdateCommand({
        TableName: this.o.table,
        Key: this.headKey,
        UpdateExpression: 'SET truncatedTo = :t',
        ConditionExpression: 'attribute_not_exists(truncatedTo) OR truncatedTo < :t',
        ExpressionAttributeValues: { ':t': upTo },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    // Delete whatever is at or below the watermark (including what an earlier, interrupted truncate left).
    const truncatedTo = (await this.head()).truncatedTo ?? upTo;
    for (;;) {
      const r = await this.o.ddb.send(new QueryCommand({
        TableName: this.o.table,
        KeyConditionExpression: 'pk = :pk AND sk <= :t',
        ExpressionAttributeValues: { ':pk': this.logPk, ':t': truncatedTo },
        ProjectionExpression: 'pk, sk',
        Limit: 500,
      }));
      const keys = r.Items ?? [];
      if (!keys.length) break;
      await this.batchWrite(keys.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })), this.now() + 5 * 60_000);
      if (!r.LastEvaluatedKey) break;
    }
  }

  private toChange(item: Record<string, unknown>): StoredChange {
    const version = Number(item.sk);
    const writtenAt = Number(item.writtenAt ?? 0);
    const id = String(item.id);
    if (item.op === 'remove') return { op: 'remove', id, version, writtenAt };
    const [vector] = decodeEmbeddings(item.vector as Uint8Array, this.dimension());
    return { op: 'upsert', id, vector: vector!, version, writtenAt };
  }

  /** BatchWriteItem in chunks of 25, retrying unprocessed items with backoff until `deadline`. */
  private async batchWrite(requests: Array<Record<string, unknown>>, deadline: number): Promise<void> {
    for (let i = 0; i < requests.length; i += 25) {
      let pending = requests.slice(i, i + 25);
      for (let attempt = 0; pending.length; attempt++) {
        if (this.now() > deadline) throw new Error(`index log write for ${this.o.model} did not finish before its deadline`);
        if (attempt) await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)));
        const r = await this.o.ddb.send(new BatchWriteCommand({ RequestItems: { [this.o.table]: pending as never } }));
        pending = (r.UnprocessedItems?.[this.o.table] ?? []) as Array<Record<string, unknown>>;
      }
    }
  }

  private dimension(): number {
    if (!this.o.dimension) throw new Error(`index store of ${this.o.model} was opened without a dimension`);
    return this.o.dimension;
  }
}

const appendOnly = async (): Promise<never> => {
  throw new Error('this function opened the index store for appending only (logOnly): snapshots need s3Snapshots');
};

/** For functions that only append changes: reading or writing a snapshot is a wiring mistake. */
export const logOnly: SnapshotObjects = { download: appendOnly, upload: appendOnly, remove: appendOnly };

/** One store per index (table, bucket, model, dimension) per container. */
const stores = new Map<string, DynamoIndexStore>();

export function indexStore(o: { table: string; bucket: string; model: string; dimension?: number }, objects: SnapshotObjects): DynamoIndexStore {
  const key = `${o.table}|${o.bucket}|${o.model}|${o.dimension ?? ''}`;
  let s = stores.get(key);
  if (!s) stores.set(key, (s = new DynamoIndexStore({ ddb: ddb(), objects, ...o })));
  return s;
}
