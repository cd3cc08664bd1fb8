import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { sqs } from '../../../shared/platform/aws.js';
import { redrive } from '../../../cli/redrive.js';

async function pair(fifo: boolean) {
  const base = `redrive-${randomUUID().slice(0, 8)}`;
  const sfx = fifo ? '.fifo' : '';
  const fifoAttrs = fifo ? { FifoQueue: 'true' } : {};
  const dlq = (await sqs().send(new CreateQueueCommand({ QueueName: `${base}-dlq${sfx}`, Attributes: fifoAttrs }))).QueueUrl!;
  const { Attributes } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }));
  const src = (await sqs().send(new CreateQueueCommand({
    QueueName: `${base}${sfx}`,
    Attributes: { ...fifoAttrs, RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 3 }) },
  }))).QueueUrl!;
  return { base, dlq, src, dlqName: `${base}-dlq${sfx}` };
}

async function drain(url: string): Promise<Message[]> {
  const out: Message[] = [];
  for (let idle = 0; idle < 2;) {
    const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] }));
    if (!r.Messages?.length) idle++;
    // Delete as we go: a FIFO group stays locked while a received message is in flight.
    for (const m of r.Messages ?? []) {
      out.push(m);
      await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
    }
  }
  return out;
}

describe('panoptes redrive (receive → send → delete; fauxqs has no StartMessageMoveTask)', () => {
  it('moves every message back to its source queue, keeping body and attributes', async () => {
    const q = await pair(false);
    for (let i = 0; i < 13; i++) {
      await sqs().send(new SendMessageCommand({
        QueueUrl: q.dlq, MessageBody: JSON.stringify({ id: i }),
        MessageAttributes: { origin: { DataType: 'String', StringValue: `m${i}` }, n: { DataType: 'Number', StringValue: String(i) } },
      }));
    }
    const r = await redrive({ dlq: q.dlqName });
    expect(r).toMatchObject({ method: 'copy', moved: 13, source: q.base });
    const moved = await drain(q.src);
    expect(moved.map((m) => JSON.parse(m.Body!).id).sort((a, b) => a - b)).toEqual([...Array(13).keys()]);
    for (const m of moved) {
      const id = JSON.parse(m.Body!).id;
      expect(m.MessageAttributes?.origin?.StringValue).toBe(`m${id}`);
      expect(m.MessageAttributes?.n).toMatchObject({ DataType: 'Number', StringValue: String(id) });
    }
    expect(await drain(q.dlq)).toEqual([]);
  });

  it('--max limits the count; --to picks another queue', async () => {
    const q = await pair(false);
    const other = await pair(false);
    for (let i = 0; i < 5; i++) await sqs().send(new SendMessageCommand({ QueueUrl: q.dlq, MessageBody: String(i) }));
    expect((await redrive({ dlq: q.dlqName, max: 2 })).moved).toBe(2);
    expect(await drain(q.src)).toHaveLength(2);
    expect((await redrive({ dlq: q.dlq, to: other.base })).moved).toBe(3);
    expect(await drain(other.src)).toHaveLength(3);
  });

  it('FIFO: keeps message groups and their order', async () => {
    const q = await pair(true);
    for (let i = 0; i < 6; i++) {
      await sqs().send(new SendMessageCommand({ QueueUrl: q.dlq, MessageBody: `g${i % 2}-${i}`, MessageGroupId: `g${i % 2}`, MessageDeduplicationId: `d${i}` }));
    }
    expect((await redrive({ dlq: q.dlqName })).moved).toBe(6);
    const moved = await drain(q.src);
    expect(moved).toHaveLength(6);
    for (const g of ['g0', 'g1']) {
      const inGroup = moved.filter((m) => m.Attributes?.MessageGroupId === g).map((m) => m.Body);
      expect(inGroup).toEqual([0, 1, 2, 3, 4, 5].filter((i) => `g${i % 2}` === g).map((i) => `${g}-${i}`));
    }
  });

  it('refuses what it cannot do', async () => {
    await expect(redrive({ dlq: `nope-${randomUUID()}` })).rejects.toThrow(/not found/);
    const std = await pair(false);
    const fifo = await pair(true);
    await expect(redrive({ dlq: std.dlqName, to: `${fifo.base}.fifo` })).rejects.toThrow(/FIFO/);
  });
});
