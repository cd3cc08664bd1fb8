/**
 * Opaque paging cursors, one codec for every listing: a DynamoDB key (LastEvaluatedKey) as base64url
 * JSON, checked against the listing's own key schema on the way back in, so that a cursor of another
 * listing or a forged one is refused instead of reaching DynamoDB.
 */
import type * as z from 'zod';

export function encodeCursor(key: Record<string, unknown>): string;
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined;
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** The key a cursor carries, or undefined when it is not one this listing issued (the caller answers 400). */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T | undefined {
  try {
    const r = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
