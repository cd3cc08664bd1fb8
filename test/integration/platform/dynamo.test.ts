import '../../support/env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, dynamo } from '../../../shared/platform/aws.js';
import {
  conditional, isTransactionConflict, queryAll, queryPage, queryPages, scanAll, transactWrite,
} from '../../../shared/platform/dynamo.js';

/** The platform's DynamoDB readers against DynamoDB Local: a table of its own per run. */
const table = `it-dynamo-${randomUUID().slice(0, 8)}`;
const N = 25;
/** Items 0…24 of one partition; every third is kind `a` (0, 3, …, 24: nine of them). */
const kindOf = (i: number) => (i % 3 === 0 ? 'a' : 'b');
const query = { TableName: table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' } };
const onlyA = { ...query, FilterExpression: 'kind = :k', ExpressionAttributeValues: { ':p': 'p', ':k': 'a' } };
const sks = (items: Array<{ sk: number }>) => items.map((i) => i.sk);

beforeAll(async () => {
  await dynamo().send(new CreateTableCommand({
    TableName: table, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
  }));
  const items = Array.from({ length: N }, (_, i) => ({ pk: 'p', sk: i, kind: kindOf(i) }));
  for (let i = 0; i < N; i += 25) {
    await ddb().send(new BatchWriteCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
});
afterAll(async () => {
  await dynamo().send(new DeleteTableCommand({ TableName: table }));
});

describe('platform DynamoDB readers', () => {
  it('queryPage fills a filtered page to its limit, and its resume key neither skips nor repeats an item', async () => {
    const first = await queryPage<{ sk: number }>(onlyA, { limit: 4 });
    // DynamoDB applies Limit before the filter: one read of 4 items holds only 2 of kind a.
    expect(sks(first.items)).toEqual([0, 3, 6, 9]);
    expect(first.next).toBeDefined();
    const seen = [...first.items];
    for (let start = first.next; start;) {
      const page = await queryPage<{ sk: number }>(onlyA, { limit: 4, start });
      expect(page.items.length).toBeLessThanOrEqual(4);
      seen.push(...page.items);
      start = page.next;
    }
    expect(sks(seen)).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24]);
  });

  it('queryPages yields page by page, queryAll reads to the end or to max, scanAll reads the table', async () => {
    const pages: number[][] = [];
    for await (const items of queryPages<{ sk: number }>(query, { pageSize: 10 })) pages.push(sks(items));
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: N }, (_, i) => i));
    // The SDK's paginator writes resume keys into its input: ours hands it a copy, so an input can be reused.
    expect(query).not.toHaveProperty('ExclusiveStartKey');
    expect(sks(await queryAll<{ sk: number }>(onlyA))).toEqual([0, 3, 6, 9, 12, 15, 18, 21, 24]);
    expect(sks(await queryAll<{ sk: number }>(query, 7))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect((await scanAll<{ sk: number }>({ TableName: table, Limit: 4 })).length).toBe(N);
  });

  it('conditional answers false for a condition that did not hold; transactWrite throws it, not retrying', async () => {
    const put = (v: number) => new PutCommand({ TableName: table, Item: { pk: 'c', sk: 1, v }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(await conditional(put(1))).toBe(true);
    expect(await conditional(put(2))).toBe(false);
    const bump = { Update: { TableName: table, Key: { pk: 'c', sk: 1 }, UpdateExpression: 'SET v = v + :one', ConditionExpression: 'v = :seen', ExpressionAttributeValues: { ':one': 1, ':seen': 1 } } };
    await transactWrite([bump]);
    const err = await transactWrite([bump]).then(() => undefined, (e: unknown) => e);
    expect((err as Error).name).toBe('TransactionCanceledException');
    expect(isTransactionConflict(err)).toBe(false);
    expect(await conditional(new UpdateCommand({ TableName: table, Key: { pk: 'c', sk: 1 }, UpdateExpression: 'SET v = :v', ConditionExpression: 'v = :two', ExpressionAttributeValues: { ':v': 9, ':two': 2 } }))).toBe(true);
  });

  it('isTransactionConflict: a lost race (retry), not a failed condition', () => {
    expect(isTransactionConflict({ name: 'TransactionConflictException' })).toBe(true);
    expect(isTransactionConflict({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }] })).toBe(true);
    expect(isTransactionConflict({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }] })).toBe(false);
  });
});
