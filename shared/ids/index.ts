import { ddb } from '../platform/aws.js';
import { IdAllocator } from './allocator.js';

let allocator: IdAllocator | undefined;

/** The container-wide allocator on IDS_TABLE: every capability takes its IDs from here. */
export function ids(): IdAllocator {
  const table = process.env.IDS_TABLE;
  if (!table) throw new Error('IDS_TABLE is not set');
  return (allocator ??= new IdAllocator({ table, client: ddb() }));
}

export const nextId = (key: string) => ids().nextId(key);
export const nextIds = (key: string, count: number) => ids().nextIds(key, count);
