/** Opaque paging cursors: DynamoDB's LastEvaluatedKey as base64url JSON, checked on the way back in. */
import * as z from 'zod';

const keySchema = z.record(z.string(), z.union([z.string().max(1024), z.number()]));

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** undefined for a cursor that is not one of ours (the caller answers 400). */
export function decodeCursor(cursor: string): Record<string, string | number> | undefined {
  try {
    const r = keySchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
