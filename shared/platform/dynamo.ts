/**
 * DynamoDB helpers every capability needs: telling a failed condition from an error, running a
 * conditional write as a yes/no, and reading a query or scan to its end.
 */
import {
  paginateQuery, paginateScan, PutCommand, type QueryCommandInput, type ScanCommandInput, type UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ddb } from './aws.js';

/** A condition that did not hold: a single write's, or any item's of a cancelled transaction. */
export function isConditionFailure(err: unknown): boolean {
  const e = err as { name?: string; CancellationReasons?: Array<{ Code?: string }> } | undefined;
  if (e?.name === 'ConditionalCheckFailedException') return true;
  return e?.name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
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

/**
 * Items of a query, page after page (the SDK's paginator over the shared client), up to `max` items
 * when given. Use this instead of a LastEvaluatedKey loop; a listing that answers one page and a
 * cursor reads one QueryCommand itself.
 */
export async function queryAll<T>(input: QueryCommandInput, max = Infinity): Promise<T[]> {
  const out: T[] = [];
  for await (const page of paginateQuery({ client: ddb(), ...(Number.isFinite(max) ? { pageSize: Math.min(max, 1000) } : {}) }, input)) {
    out.push(...((page.Items ?? []) as T[]));
    if (out.length >= max) return out.slice(0, max);
  }
  return out;
}

/** Every item of a scan, page after page. */
export async function scanAll<T>(input: ScanCommandInput): Promise<T[]> {
  const out: T[] = [];
  for await (const page of paginateScan({ client: ddb() }, input)) out.push(...((page.Items ?? []) as T[]));
  return out;
}
