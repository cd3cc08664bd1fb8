/**
 * DynamoDB helpers every capability needs: telling a failed condition from an error, running a
 * conditional write as a yes/no, and reading a query or scan by pages, to its end, or one filled page.
 */
import {
  type DynamoDBDocumentClient, paginateQuery, paginateScan, PutCommand, QueryCommand, type QueryCommandInput,
  type ScanCommandInput, TransactWriteCommand, type TransactWriteCommandInput, type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { ddb } from './aws.js';

/** A condition that did not hold: a single write's, or any item's of a cancelled transaction. */
export function isConditionFailure(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> } | undefined;
  if (e?.name === 'ConditionalCheckFailedException') return true;
  return e?.name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
}

/** A transaction that lost a race with another one on the same item (not a failed condition). */
export function isTransactionConflict(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> } | undefined;
  if (e?.name === 'TransactionConflictException') return true;
  return e?.name === 'TransactionCanceledException' && !isConditionFailure(err) &&
    Boolean(e.CancellationReasons?.some((r) => r.Code === 'TransactionConflict'));
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * A write transaction, run again (jittered, up to 8 times) when it conflicted with a concurrent one:
 * items that many writers touch, like a counter, make conflicts routine. A failed condition is thrown.
 */
export async function transactWrite(items: TransactItem[], o: { client?: DynamoDBDocumentClient } = {}): Promise<void> {
  const client = o.client ?? ddb();
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (err) {
      if (!isTransactionConflict(err) || attempt >= 8) throw err;
      await sleep(Math.random() * 25 * 2 ** Math.min(attempt, 5));
    }
  }
}

/** Runs a conditional write; false when its condition did not hold (any other error is thrown). */
export async function conditional(cmd: UpdateCommand | PutCommand): Promise<boolean> {
  try {
    // Two calls because send() is overloaded per command type.
    if (cmd instanceof PutCommand) await ddb().send(cmd);
    else await ddb().send(cmd);
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Which client a helper uses: the shared one unless a store was handed its own (tests, ports). */
type On = { client?: DynamoDBDocumentClient };

/**
 * Pages of a query as they arrive (the SDK's paginator), for a caller that works page by page, e.g.
 * a sweep that deletes what it reads. Use this instead of a LastEvaluatedKey loop.
 */
export async function* queryPages<T>(input: QueryCommandInput, o: On & { pageSize?: number } = {}): AsyncGenerator<T[]> {
  const config = { client: o.client ?? ddb(), ...(o.pageSize ? { pageSize: o.pageSize } : {}) };
  // A copy: the SDK's paginator writes each page's ExclusiveStartKey into the input it is given.
  for await (const page of paginateQuery(config, { ...input })) if (page.Items?.length) yield page.Items as T[];
}

/**
 * Items of a query, page after page, up to `max` items when given. A listing that answers one page
 * and a cursor uses queryPage instead.
 */
export async function queryAll<T>(input: QueryCommandInput, max = Infinity, o: On = {}): Promise<T[]> {
  const out: T[] = [];
  for await (const items of queryPages<T>(input, { ...o, ...(Number.isFinite(max) ? { pageSize: Math.min(max, 1000) } : {}) })) {
    out.push(...items);
    if (out.length >= max) return out.slice(0, max);
  }
  return out;
}

/** Every item of a scan, page after page. */
export async function scanAll<T>(input: ScanCommandInput, o: On = {}): Promise<T[]> {
  const out: T[] = [];
  for await (const page of paginateScan({ client: o.client ?? ddb() }, { ...input })) out.push(...((page.Items ?? []) as T[]));
  return out;
}

/**
 * One page of up to `limit` items from `start`, and the key to resume from when more may follow.
 * A FilterExpression applies after DynamoDB's Limit, so this asks again for what is still missing
 * until the page is full or the query ends (the paginator cannot shrink Limit between pages, and
 * over-reading would put the resume key past items never returned).
 */
export async function queryPage<T>(
  input: QueryCommandInput, page: { limit: number; start?: Record<string, unknown> | undefined }, o: On = {},
): Promise<{ items: T[]; next?: Record<string, unknown> }> {
  const client = o.client ?? ddb();
  const items: T[] = [];
  let start = page.start;
  do {
    const r = await client.send(new QueryCommand({ ...input, Limit: page.limit - items.length, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...((r.Items ?? []) as T[]));
    start = r.LastEvaluatedKey;
  } while (start && items.length < page.limit);
  return { items, ...(start ? { next: start } : {}) };
}
