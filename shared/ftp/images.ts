import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Kind, ParsedPath } from './layout.js';
import { isConditionFailure, queryPage, queryPages } from '../platform/dynamo.js';

/**
 * The `images` index (the seed's Elasticsearch index): where each camera file is right now.
 * Key: fileName + deviceId (camera file names are only unique per camera; readers normally give
 * the file name alone, see `find`). GSIs: byDevice (deviceId, captureTime) for history,
 * byLocation (location, syncedAt) for cleanup.
 *
 * Every state change is a conditional write, so redeliveries, concurrent workers and a cleanup
 * running beside a migration cannot make the index lie:
 *   (none) → ftp            register (notify/scan), put-if-absent
 *   ftp → ftp+lease         claim by one worker (lease expires if it dies)
 *   ftp+lease → s3          switch, only by the lease owner, only after verification
 *   s3 → s3+lease → s3 v+1  re-migration (FTP copy changed), same rules
 *   s3 → s3+ftpDeletedAt    cleanup, only if nobody re-migrates meanwhile (version unchanged)
 */
export type Location = 'ftp' | 's3';

export interface ImageItem {
  fileName: string;
  deviceId: string;
  server: string;
  ftpPath: string;
  ftpUrl: string;
  location: Location;
  captureTime: string;
  kind: Kind;
  createdAt: string;
  s3Key?: string;
  size?: number;
  md5?: string;
  etag?: string;
  /** MDTM of the FTP file when it was copied (cleanup compares it, with the size). */
  ftpModifiedAt?: string;
  syncedAt?: string;
  ftpDeletedAt?: string;
  /** Migrations done (1 after the first; re-migrations add one). */
  version?: number;
  leaseOwner?: string;
  leaseUntil?: number;
  attempts?: number;
  lastError?: string;
}

/** An Update usable alone (UpdateCommand) or in a transaction. */
type Update = NonNullable<NonNullable<TransactWriteCommandInput['TransactItems']>[number]['Update']>;
const isCancelled = (err: unknown) => ['TransactionCanceledException', 'TransactionConflictException'].includes((err as Error)?.name);

const N = { '#loc': 'location', '#srv': 'server', '#size': 'size', '#kind': 'kind' } as const;

export interface ClaimInput {
  p: ParsedPath;
  server: string;
  ftpUrl: string;
  owner: string;
  now: number;
  leaseMs: number;
  /** Re-migration: the version the caller saw (the switch happens only from there). */
  fromVersion?: number;
}

export interface SwitchInput {
  s3Key: string;
  size: number;
  md5: string;
  etag: string;
  ftpModifiedAt?: string;
  version: number;
  now: number;
}

/** A file as a backfill saw it before copying (absent = undefined). */
export interface Seen {
  location: Location;
  attempts?: number;
  leaseUntil?: number;
}

export interface SettleInput {
  p: ParsedPath;
  server: string;
  ftpUrl: string;
  /** The item as seen before the copy (undefined: not indexed). */
  seen?: Seen;
  s: SwitchInput;
}

export class ImageIndex {
  constructor(private readonly db: DynamoDBDocumentClient, readonly table: string) {}

  /** Registers a file as on FTP unless the index knows it already. True if it was new. */
  async register(p: ParsedPath, server: string, ftpUrl: string, now: number): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: {
          fileName: p.fileName, deviceId: p.deviceId, server, ftpPath: p.rel, ftpUrl, location: 'ftp',
          captureTime: p.captureTime, kind: p.kind, createdAt: new Date(now).toISOString(),
        } satisfies ImageItem,
        ConditionExpression: 'attribute_not_exists(fileName)',
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async get(fileName: string, deviceId: string): Promise<ImageItem | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: { fileName, deviceId }, ConsistentRead: true }));
    return r.Item as ImageItem | undefined;
  }

  /** Location of many files at once (absent = not indexed); for skipping done work in backfills. */
  async locations(keys: Array<{ fileName: string; deviceId: string }>): Promise<Map<string, Location>> {
    const out = new Map<string, Location>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Array<Record<string, unknown>> | undefined = keys.slice(i, i + 100);
      for (let round = 0; pending?.length && round < 8; round++) {
        const r = await this.db.send(new BatchGetCommand({
          RequestItems: { [this.table]: { Keys: pending, ProjectionExpression: 'fileName, deviceId, #loc', ExpressionAttributeNames: { '#loc': 'location' } } },
        }));
        for (const it of r.Responses?.[this.table] ?? []) out.set(`${it.deviceId}/${it.fileName}`, it.location as Location);
        pending = r.UnprocessedKeys?.[this.table]?.Keys as Array<Record<string, unknown>> | undefined;
        if (pending?.length) await new Promise((res) => setTimeout(res, 50 * 2 ** round));
      }
    }
    return out;
  }

  /**
   * What a backfill needs to know of many files at once: absent, or location + claims so far +
   * lease. The claim-free path (`settleMany`) switches only if none of that changed since.
   */
  async lookup(keys: Array<{ fileName: string; deviceId: string }>): Promise<Map<string, Seen>> {
    const out = new Map<string, Seen>();
    for (let i = 0; i < keys.length; i += 100) {
      let pending: Array<Record<string, unknown>> | undefined = keys.slice(i, i + 100);
      for (let round = 0; pending?.length && round < 8; round++) {
        const r = await this.db.send(new BatchGetCommand({
          RequestItems: {
            [this.table]: {
              Keys: pending,
              ProjectionExpression: 'fileName, deviceId, #loc, attempts, leaseUntil', ExpressionAttributeNames: { '#loc': 'location' },
            },
          },
        }));
        for (const it of r.Responses?.[this.table] ?? []) {
          out.set(`${it.deviceId}/${it.fileName}`, {
            location: it.location as Location,
            ...(it.attempts !== undefined ? { attempts: Number(it.attempts) } : {}),
            ...(it.leaseUntil !== undefined ? { leaseUntil: Number(it.leaseUntil) } : {}),
          });
        }
        pending = r.UnprocessedKeys?.[this.table]?.Keys as Array<Record<string, unknown>> | undefined;
        if (pending?.length) await new Promise((res) => setTimeout(res, 50 * 2 ** round));
      }
    }
    return out;
  }

  /**
   * Claim-free first migration of many files in one transaction (bulk backfills): registers each
   * file and switches it to its verified S3 copy in one conditional write, if the item is as the
   * caller saw it before copying — absent, or `ftp` from the same server and path with the same
   * number of claims, no version and no live lease. Any claim in between (a queue consumer) adds
   * to `attempts` and fails the condition: a worker that copied the same key meanwhile is never
   * switched over by us. If the transaction is cancelled, each is tried alone. Returns which
   * switched.
   */
  async settleMany(entries: SettleInput[]): Promise<boolean[]> {
    const one = async (e: SettleInput) => {
      try {
        await this.db.send(new UpdateCommand(this.settleParams(e)));
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    };
    if (entries.length <= 1) return Promise.all(entries.map(one));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: entries.map((e) => ({ Update: this.settleParams(e) })) }));
      return entries.map(() => true);
    } catch (err) {
      if (!isCancelled(err)) throw err;
      return Promise.all(entries.map(one));
    }
  }

  private settleParams(e: SettleInput): Update {
    const { p, s } = e;
    const values: Record<string, unknown> = {
      ':srv': e.server, ':path': p.rel, ':url': e.ftpUrl, ':kind': p.kind, ':ct': p.captureTime, ':created': new Date(s.now).toISOString(),
      ':s3': 's3', ':key': s.s3Key, ':size': s.size, ':md5': s.md5, ':etag': s.etag, ':at': new Date(s.now).toISOString(), ':v': s.version, ':one': 1,
      ...(s.ftpModifiedAt ? { ':mt': s.ftpModifiedAt } : {}),
    };
    let condition: string;
    if (!e.seen) condition = 'attribute_not_exists(fileName)';
    else {
      values[':ftp'] = 'ftp';
      values[':now'] = s.now;
      const claims = e.seen.attempts === undefined ? 'attribute_not_exists(attempts)' : 'attempts = :att';
      if (e.seen.attempts !== undefined) values[':att'] = e.seen.attempts;
      condition = `#loc = :ftp AND #srv = :srv AND ftpPath = :path AND ${claims} AND attribute_not_exists(version) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)`;
    }
    return {
      TableName: this.table,
      Key: { fileName: p.fileName, deviceId: p.deviceId },
      UpdateExpression: 'SET #srv = :srv, ftpPath = :path, ftpUrl = if_not_exists(ftpUrl, :url), #kind = :kind, captureTime = :ct, '
        + 'createdAt = if_not_exists(createdAt, :created), #loc = :s3, s3Key = :key, #size = :size, md5 = :md5, etag = :etag, syncedAt = :at, version = :v'
        + (s.ftpModifiedAt ? ', ftpModifiedAt = :mt' : '') + ' ADD attempts :one REMOVE leaseOwner, leaseUntil, lastError, ftpDeletedAt' + (s.ftpModifiedAt ? '' : ', ftpModifiedAt'),
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#loc': N['#loc'], '#srv': N['#srv'], '#kind': N['#kind'], '#size': N['#size'] },
      ExpressionAttributeValues: values,
    };
  }

  /** Every device's file of that name (normally one). */
  async find(fileName: string): Promise<ImageItem[]> {
    const r = await this.db.send(new QueryCommand({
      TableName: this.table,
      KeyConditionExpression: 'fileName = :f',
      ExpressionAttributeValues: { ':f': fileName },
      Limit: 20,
    }));
    return (r.Items ?? []) as ImageItem[];
  }

  /**
   * Takes the lease on a file for a migration (registering it if needed). Returns the item as it
   * is now, or undefined if the file is not claimable (done, leased by someone else, or another
   * path under this name): the caller reads it to tell which.
   */
  async claim(c: ClaimInput): Promise<ImageItem | undefined> {
    try {
      const r = await this.db.send(new UpdateCommand({ ...this.claimParams(c), ReturnValues: 'ALL_NEW' }));
      return r.Attributes as ImageItem;
    } catch (err) {
      if (isConditionFailure(err)) return undefined;
      throw err;
    }
  }

  /**
   * First-migration claims of many files in one transaction (bulk backfills: DynamoDB round trips
   * dominate small files). If any is not claimable the transaction is cancelled as a whole, and
   * each is tried alone. Returns which were claimed (those start at version 1).
   */
  async claimMany(cs: ClaimInput[]): Promise<boolean[]> {
    if (cs.length <= 1) return Promise.all(cs.map(async (c) => Boolean(await this.claim(c))));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: cs.map((c) => ({ Update: this.claimParams(c) })) }));
      return cs.map(() => true);
    } catch (err) {
      if (!isCancelled(err)) throw err;
      return Promise.all(cs.map(async (c) => Boolean(await this.claim(c))));
    }
  }

  private claimParams(c: ClaimInput): Update {
    const remigrate = c.fromVersion !== undefined;
    const values: Record<string, unknown> = {
      ':srv': c.server, ':path': c.p.rel, ':url': c.ftpUrl, ':kind': c.p.kind, ':ct': c.p.captureTime, ':ftp': 'ftp',
      ':created': new Date(c.now).toISOString(), ':me': c.owner, ':until': c.now + c.leaseMs, ':now': c.now, ':one': 1,
    };
    const leaseFree = '(attribute_not_exists(leaseUntil) OR leaseUntil < :now)';
    let condition: string;
    if (remigrate) {
      values[':s3'] = 's3';
      values[':v'] = c.fromVersion;
      condition = `#loc = :s3 AND #srv = :srv AND ftpPath = :path AND version = :v AND ${leaseFree}`;
    } else {
      condition = `(attribute_not_exists(fileName) OR (#loc = :ftp AND #srv = :srv AND ftpPath = :path)) AND ${leaseFree}`;
    }
    return {
      TableName: this.table,
      Key: { fileName: c.p.fileName, deviceId: c.p.deviceId },
      UpdateExpression: 'SET #srv = if_not_exists(#srv, :srv), ftpPath = if_not_exists(ftpPath, :path), ftpUrl = if_not_exists(ftpUrl, :url), '
        + '#kind = if_not_exists(#kind, :kind), captureTime = if_not_exists(captureTime, :ct), #loc = if_not_exists(#loc, :ftp), '
        + 'createdAt = if_not_exists(createdAt, :created), leaseOwner = :me, leaseUntil = :until ADD attempts :one',
      ConditionExpression: condition,
      ExpressionAttributeNames: { '#loc': N['#loc'], '#srv': N['#srv'], '#kind': N['#kind'] },
      ExpressionAttributeValues: values,
    };
  }

  /** ftp|s3 → s3 at the verified copy; only the lease owner may. False if the lease was lost. */
  async switchToS3(key: { fileName: string; deviceId: string }, owner: string, s: SwitchInput): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand(this.switchParams(key, owner, s)));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Many switches in one transaction; if it is cancelled, each alone. Returns which switched. */
  async switchMany(entries: Array<{ key: { fileName: string; deviceId: string }; owner: string; s: SwitchInput }>): Promise<boolean[]> {
    if (entries.length <= 1) return Promise.all(entries.map((e) => this.switchToS3(e.key, e.owner, e.s)));
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: entries.map((e) => ({ Update: this.switchParams(e.key, e.owner, e.s) })) }));
      return entries.map(() => true);
    } catch (err) {
      if (!isCancelled(err)) throw err;
      return Promise.all(entries.map((e) => this.switchToS3(e.key, e.owner, e.s)));
    }
  }

  private switchParams(key: { fileName: string; deviceId: string }, owner: string, s: SwitchInput): Update {
    return {
      TableName: this.table,
      Key: key,
      UpdateExpression: 'SET #loc = :s3, s3Key = :key, #size = :size, md5 = :md5, etag = :etag, syncedAt = :at, version = :v'
        + (s.ftpModifiedAt ? ', ftpModifiedAt = :mt' : '') + ' REMOVE leaseOwner, leaseUntil, lastError, ftpDeletedAt' + (s.ftpModifiedAt ? '' : ', ftpModifiedAt'),
      ConditionExpression: 'leaseOwner = :me',
      ExpressionAttributeNames: { '#loc': N['#loc'], '#size': N['#size'] },
      ExpressionAttributeValues: {
        ':s3': 's3', ':key': s.s3Key, ':size': s.size, ':md5': s.md5, ':etag': s.etag, ':at': new Date(s.now).toISOString(),
        ':v': s.version, ':me': owner, ...(s.ftpModifiedAt ? { ':mt': s.ftpModifiedAt } : {}),
      },
    };
  }

  /** Gives the lease back after a failure so the retry need not wait for it to expire. */
  async release(key: { fileName: string; deviceId: string }, owner: string, error: string): Promise<void> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'SET lastError = :e REMOVE leaseOwner, leaseUntil',
        ConditionExpression: 'leaseOwner = :me',
        ExpressionAttributeValues: { ':e': error.slice(0, 500), ':me': owner },
      }));
    } catch {
      /* lease already lost or table unreachable: it expires on its own */
    }
  }

  /** Records that the FTP copy is gone, if nothing changed since the caller looked. */
  async markFtpDeleted(key: { fileName: string; deviceId: string }, version: number, now: number): Promise<boolean> {
    try {
      await this.db.send(new UpdateCommand({
        TableName: this.table,
        Key: key,
        UpdateExpression: 'SET ftpDeletedAt = :at',
        ConditionExpression: '#loc = :s3 AND version = :v AND attribute_not_exists(ftpDeletedAt) AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
        ExpressionAttributeNames: { '#loc': N['#loc'] },
        ExpressionAttributeValues: { ':at': new Date(now).toISOString(), ':s3': 's3', ':v': version, ':now': now },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Device history, newest first by default; `kind` filters; `cursor` continues a page. */
  async history(q: { deviceId: string; from?: string; to?: string; kind?: Kind; limit: number; cursor?: Record<string, unknown>; ascending?: boolean }): Promise<{ items: ImageItem[]; cursor?: Record<string, unknown> }> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':d': q.deviceId };
    let range = '';
    if (q.from && q.to && q.from > q.to) return { items: [] }; // DynamoDB refuses an inverted BETWEEN
    if (q.from && q.to) {
      range = ' AND captureTime BETWEEN :from AND :to';
      values[':from'] = q.from;
      values[':to'] = q.to;
    } else if (q.from) {
      range = ' AND captureTime >= :from';
      values[':from'] = q.from;
    } else if (q.to) {
      range = ' AND captureTime <= :to';
      values[':to'] = q.to;
    }
    if (q.kind) {
      names['#kind'] = 'kind';
      values[':k'] = q.kind;
    }
    const { items, next } = await queryPage<ImageItem>({
      TableName: this.table,
      IndexName: 'byDevice',
      KeyConditionExpression: `deviceId = :d${range}`,
      ...(q.kind ? { FilterExpression: '#kind = :k', ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ScanIndexForward: q.ascending ?? false,
    }, { limit: q.limit, start: q.cursor }, { client: this.db });
    return { items, ...(next ? { cursor: next } : {}) };
  }

  /** Migrated files whose FTP copy may still exist, oldest sync first, synced in [from, to]. */
  async *cleanupCandidates(from: string, to: string): AsyncGenerator<ImageItem[]> {
    // A checkpoint newer than the retention cut-off (a shorter retention, a clock step): nothing is due.
    if (from > to) return;
    yield* queryPages<ImageItem>({
      TableName: this.table,
      IndexName: 'byLocation',
      KeyConditionExpression: '#loc = :s3 AND syncedAt BETWEEN :from AND :to',
      FilterExpression: 'attribute_not_exists(ftpDeletedAt)',
      ExpressionAttributeNames: { '#loc': N['#loc'] },
      ExpressionAttributeValues: { ':s3': 's3', ':from': from, ':to': to },
    }, { client: this.db, pageSize: 200 });
  }
}
