/**
 * DynamoDB helpers every capability needs: telling a failed condition from an error, and running a
 * conditional write as a yes/no. (A first piece of the platform layer issue 11 asks for.)
 */
import { PutCommand, type UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
