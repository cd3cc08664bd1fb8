import '../../support/env.js';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { PermanentError } from '../../../shared/platform/errors.js';
import { sqsHandler, type Attempts } from '../../../shared/platform/sqs/stack.js';
import { resource } from '../../support/names.js';

/** The SQS stack's give-up policy, on a real queue of the emulators (its backoff calls go to fauxqs). */
const body = z.object({ n: z.number() });
type Body = z.infer<typeof body>;

function event(receiveCounts: number[]): SQSEvent {
  return {
    Records: receiveCounts.map((count, i) => ({
      messageId: `m${i}`, receiptHandle: `r${i}`, body: JSON.stringify({ n: i }), md5OfBody: '', eventSource: 'aws:sqs', awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${resource('probeQueue')}`,
      attributes: { ApproximateReceiveCount: String(count), SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {},
    })),
  };
}
const context = { awsRequestId: 'r', functionName: 'sqsAttempts', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

/** Runs one batch through a consumer that fails with `fail(n)` (or succeeds: undefined); returns what the hooks saw. */
async function run(counts: number[], fail: (n: number) => Error | undefined, o: Partial<Attempts<Body>> & Pick<Attempts<Body>, 'then'>) {
  const seen = { retrying: [] as string[], giveUp: [] as string[] };
  const h = sqsHandler({
    body,
    attempts: {
      max: 3,
      retrying: async ({ body: b }, err, attempt) => void seen.retrying.push(`${b.n}@${attempt}: ${err.message}`),
      giveUp: async ({ body: b }, reason) => void seen.giveUp.push(`${b.n}: ${reason}`),
      ...o,
    },
  }, async ({ body: b }) => {
    const err = fail(b.n);
    if (err) throw err;
  });
  const res = (await h(event(counts), context)) as SQSBatchResponse;
  return { ...seen, failed: res.batchItemFailures.map((f) => f.itemIdentifier) };
}

describe('SQS stack: when to give up', () => {
  it('retries a transient failure before the last attempt, and gives up on the last one', async () => {
    const r = await run([1, 3], () => new Error('boom'), { then: 'done' });
    expect(r.retrying).toEqual(['0@1: boom']);
    expect(r.giveUp).toEqual(['1: gave up after 3 attempts: boom']);
    expect(r.failed).toEqual(['m0']); // the given-up message is done (deleted), the other retried
  });

  it("gives up on a PermanentError at once, with its reason; 'dead-letter' keeps the message failing to the DLQ", async () => {
    const r = await run([1, 1], (n) => (n === 0 ? new PermanentError('not_an_image: junk') : undefined), { then: 'dead-letter' });
    expect(r.giveUp).toEqual(['0: not_an_image: junk']);
    expect(r.retrying).toEqual([]);
    expect(r.failed).toEqual(['m0']);
  });

  it('never gives up on what waitOn names (another worker holds the item)', async () => {
    class Busy extends Error {}
    const r = await run([7], () => new Busy('leased'), { then: 'done', waitOn: (err) => err instanceof Busy });
    expect(r.giveUp).toEqual([]);
    expect(r.retrying).toEqual(['0@7: leased']);
    expect(r.failed).toEqual(['m0']);
  });

  it('counts attempts where the consumer says (a re-driven message starts its receive count again)', async () => {
    const r = await run([1], () => new Error('down'), { then: 'done', number: () => 3 });
    expect(r.giveUp).toEqual(['0: gave up after 3 attempts: down']);
    expect(r.failed).toEqual([]);
  });

  it('a hook that fails leaves the message to be retried', async () => {
    const r = await run([3], () => new Error('boom'), { then: 'done', giveUp: async () => { throw new Error('table down'); } });
    expect(r.failed).toEqual(['m0']);
  });
});
