/** The alarm listing's cursor: its DynamoDB key, through the one codec (shared/platform/cursor.ts). */
import * as z from 'zod';
import { decodeCursor as decode } from '../../platform/cursor.js';

export { encodeCursor } from '../../platform/cursor.js';

const keySchema = z.record(z.string(), z.union([z.string().max(1024), z.number()]));

/** undefined for a cursor that is not one of ours (the caller answers 400). */
export const decodeCursor = (cursor: string): Record<string, string | number> | undefined => decode(cursor, keySchema);
