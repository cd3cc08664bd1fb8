/** The alarm listing's cursor: its DynamoDB key, through the one codec (shared/cursor.ts). */
import * as z from 'zod';
import { decodeCursor as decode } from '../cursor.js';

export { encodeCursor } from '../cursor.js';

const keySchema = z.record(z.string(), z.union([z.string().max(1024), z.number()]));

/** undefined for a cursor that is not one of ours (the caller answers 400). */
export const decodeCursor = (cursor: string): Record<string, string | number> | undefined => decode(cursor, keySchema);
