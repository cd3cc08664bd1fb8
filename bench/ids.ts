import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { IdAllocator } from '../shared/ids/allocator.js';
import { startCloud } from '../infra/local/stack.js';
import { freePort } from '../test/support/ports.js';
import { clientsFor } from '../infra/local/stack.js';
import { isMain, printTable } from './util.js';

/**
 * IDs/s per process and DynamoDB writes per 10,000 IDs: the block allocator beside a naive
 * one-UpdateItem-per-ID allocator, on DynamoDB Local, in the same run.
 */
export async function benchIds(opts: { blockIds?: number; naiveIds?: number } = {}) {
  const blockIds = opts.blockIds ?? 5_000_000;
  const naiveIds = opts.naiveIds ?? 2_000;
  const cloud = await startCloud({ dynamoPort: await freePort(), fauxqsPort: await freePort() });
  try {
    const table = cloud.provisioned.tables.IdsTable!.name;
    const client = DynamoDBDocumentClient.from(clientsFor(cloud.env).dynamo);

    const alloc = new IdAllocator({ table, client });
    const key = `bench-${randomUUID()}`;
    await alloc.nextId(key); // first block: not steady state
    const w0 = alloc.writes;
    let t = performance.now();
    let last = 0;
    for (let i = 0; i < blockIds; i++) last = await alloc.nextId(key);
    const blockMs = performance.now() - t;
    const blockWrites = alloc.writes - w0;

    const naiveKey = `naive-${randomUUID()}`;
    t = performance.now();
    for (let i = 0; i < naiveIds; i++) {
      await client.send(new UpdateCommand({
        TableName: table, Key: { key: naiveKey },
        UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'next' }, ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }));
    }
    const naiveMs = performance.now() - t;

    const rows = [
      { allocator: 'block (double buffer, adaptive step)', ids: blockIds, 'ids/s': Math.round(blockIds / (blockMs / 1000)), 'writes per 10,000 ids': +(blockWrites / (blockIds / 10_000)).toFixed(3), 'last id': last },
      { allocator: 'naive (UpdateItem per id)', ids: naiveIds, 'ids/s': Math.round(naiveIds / (naiveMs / 1000)), 'writes per 10,000 ids': 10_000, 'last id': naiveIds },
    ];
    printTable('ids: one process, DynamoDB Local', rows);
    return rows;
  } finally {
    await cloud.emulators.stop();
  }
}

if (isMain(import.meta.url)) await benchIds();
