import * as z from 'zod';
import { ddb } from '../platform/aws.js';
import { loadConfig } from '../platform/config.js';
import { IdAllocator } from './allocator.js';

let allocator: IdAllocator | undefined;

/** The container-wide allocator on IDS_TABLE: every capability takes its IDs from here. */
export function ids(): IdAllocator {
  // On first use, not at import: functions that never allocate need not have IDS_TABLE.
  return (allocator ??= new IdAllocator({ table: loadConfig({ IDS_TABLE: z.string().min(1) }).IDS_TABLE, client: ddb() }));
}

export const nextId = (key: string) => ids().nextId(key);
export const nextIds = (key: string, count: number) => ids().nextIds(key, count);
