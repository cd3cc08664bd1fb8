import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../platform/dynamo.js';

/** The item holding a job's last run (scan: one per server; cleanup: one). */
export const lastRunId = (job: 'scan' | 'cleanup', server?: string) => (server ? `lastrun#${job}#${server}` : `lastrun#${job}`);

/**
 * Small bookkeeping of the FTP capability in one table (key `id`): the scanner's per-directory
 * watermarks and per-device cursors, the cleanup checkpoint, and run locks.
 */
export class FtpState {
  constructor(private readonly db: DynamoDBDocumentClient, readonly table: string) {}

  async get<T extends object>(id: string): Promise<(T & { id: string }) | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
    return r.Item as (T & { id: string }) | undefined;
  }

  async getMany<T extends object>(ids: string[]): Promise<Map<string, T & { id: string }>> {
    const out = new Map<string, T & { id: string }>();
    for (let i = 0; i < ids.length; i += 100) {
      let keys: Array<Record<string, unknown>> | undefined = ids.slice(i, i + 100).map((id) => ({ id }));
      for (let round = 0; keys?.length && round < 8; round++) {
        const r = await this.db.send(new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }));
        for (const item of r.Responses?.[this.table] ?? []) out.set(String(item.id), item as T & { id: string });
        keys = r.UnprocessedKeys?.[this.table]?.Keys as Array<Record<string, unknown>> | undefined;
        if (keys?.length) await new Promise((res) => setTimeout(res, 50 * 2 ** round));
      }
    }
    return out;
  }

  async put(id: string, attrs: Record<string, unknown>): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.table, Item: { ...attrs, id } }));
  }

  /** A lease-style lock (one nightly cleanup at a time, even beside a manual run). */
  async lock(name: string, owner: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({
        TableName: this.table,
        Item: { id: `lock#${name}`, owner, until: now + ttlMs },
        ConditionExpression: 'attribute_not_exists(id) OR #until < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#until': 'until', '#owner': 'owner' },
        ExpressionAttributeValues: { ':now': now, ':owner': owner },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async unlock(name: string, owner: string): Promise<void> {
    try {
      await this.db.send(new DeleteCommand({
        TableName: this.table,
        Key: { id: `lock#${name}` },
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
      }));
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
