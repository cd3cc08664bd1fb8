import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { BatchProcessor, SqsFifoPartialProcessorAsync, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import { sqs } from '../aws.js';
import { logger } from '../logger.js';
import { PermanentError } from '../errors.js';
import { backoffSeconds, retryPace } from './backoff.js';
import { queueUrlFromArn } from './queues.js';

export interface SqsOptions<S extends z.ZodType> {
  /** Schema of the JSON body; a body that does not fit is a poison message (→ DLQ, never retried in a loop). */
  body: S;
  /** FIFO queues: stop a message group at its first failure so order is kept. */
  fifo?: boolean;
  /** Retry delays (seconds); defaults from RETRY_BASE_SECONDS / RETRY_MAX_SECONDS. */
  backoff?: { baseSeconds?: number; maxSeconds?: number };
  /** Give-up policy; without it a failure retries until the queue's maxReceiveCount moves it to the DLQ. */
  attempts?: Attempts<z.infer<S>>;
}

export interface SqsMessage<T> {
  body: T;
  record: SQSRecord;
  /** How many times SQS has delivered this message (1 on the first attempt). */
  receiveCount: number;
}

/** The one give-up rule: attempt `max` is the last (callers outside SQS deliveries use it too). */
export const isLastAttempt = (attempt: number, max: number): boolean => attempt >= max;

/**
 * What a failed attempt comes to: another try, or giving up with the reason users will read. The SQS
 * stack decides with it, and so does a consumer whose first attempt runs off another event (the photo
 * analyser's S3 notification) before its retries go through a queue.
 */
export function failureVerdict(err: Error, attempt: number, a: Pick<Attempts<unknown>, 'max' | 'waitOn'>): { retry: true } | { retry: false; reason: string } {
  if (err instanceof PermanentError) return { retry: false, reason: err.reason };
  if (!isLastAttempt(attempt, a.max) || a.waitOn?.(err)) return { retry: true };
  return { retry: false, reason: `gave up after ${attempt} attempts: ${err.message}` };
}

/**
 * When a consumer stops retrying, owned by the stack so every consumer gives up the same way: a
 * PermanentError gives up at once; any other failure is retried with backoff until attempt `max`,
 * which gives up. Giving up calls `giveUp` (record the failure where users look), then the message
 * is deleted (`then: 'done'`) or left to fail into the DLQ for `panoptes redrive` (`'dead-letter'`:
 * needs `max` = the queue's maxReceiveCount).
 */
export interface Attempts<T> {
  max: number;
  /** This delivery's attempt (default: the receive count); asked only after a failure. */
  number?: (msg: SqsMessage<T>) => Promise<number> | number;
  /** Failures that are not this message's (e.g. another worker's lease): retried, never given up on. */
  waitOn?: (err: unknown) => boolean;
  /** A failure that will be retried: e.g. record the attempt. */
  retrying?: (msg: SqsMessage<T>, err: Error, attempt: number) => Promise<unknown>;
  /** The failure is final; `reason` is the PermanentError's reason or "gave up after N attempts: …". */
  giveUp: (msg: SqsMessage<T>, reason: string, err: Error) => Promise<unknown>;
  then: 'done' | 'dead-letter';
}

/**
 * The SQS middleware stack: parse + validate each record, process records independently, report
 * partial batch failures (ReportBatchItemFailures), and push each failed record's next attempt out
 * by exponential backoff. After maxReceiveCount the queue's redrive policy moves it to the DLQ.
 * Record handlers must be idempotent: SQS delivers at least once.
 */
export function sqsHandler<S extends z.ZodType>(
  opts: SqsOptions<S>,
  fn: (msg: SqsMessage<z.infer<S>>) => Promise<void>,
) {
  retryPace(); // validated with the consumer's other settings, at cold start
  const core = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const processor = opts.fifo ? new SqsFifoPartialProcessorAsync() : new BatchProcessor(EventType.SQS);
    const poison = new Set<string>();
    const handleRecord = async (record: SQSRecord) => {
      let raw: unknown;
      try {
        raw = JSON.parse(record.body);
      } catch {
        raw = undefined;
      }
      const parsed = opts.body.safeParse(raw);
      if (!parsed.success) {
        poison.add(record.messageId);
        logger.error('poison message: body does not match schema', { messageId: record.messageId, issues: parsed.error.issues, body: record.body.slice(0, 500) });
        throw new PermanentError('invalid message body');
      }
      const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? 1);
      const msg = { body: parsed.data, record, receiveCount };
      try {
        await fn(msg);
      } catch (err) {
        if (opts.attempts) return afterFailure(opts.attempts, msg, err as Error);
        // Retrying cannot fix a permanent failure: let it reach the DLQ without backoff.
        if (err instanceof PermanentError) poison.add(record.messageId);
        logger.warn('record failed', { messageId: record.messageId, error: (err as Error).message, receiveCount, permanent: err instanceof PermanentError });
        throw err;
      }
    };
    /** Returns: the message is done. Throws: it is retried (or, given up with 'dead-letter', dead-lettered). */
    const afterFailure = async (a: Attempts<z.infer<S>>, msg: SqsMessage<z.infer<S>>, err: Error): Promise<void> => {
      const attempt = a.number ? await a.number(msg) : msg.receiveCount;
      const verdict = failureVerdict(err, attempt, a);
      const log = { messageId: msg.record.messageId, error: err.message, attempt, max: a.max, permanent: err instanceof PermanentError };
      if (verdict.retry) {
        logger.warn('record failed; will retry', log);
        await a.retrying?.(msg, err, attempt);
        throw err;
      }
      logger.warn(a.then === 'done' ? 'record failed: given up' : 'record failed: given up, to the DLQ', log);
      await a.giveUp(msg, verdict.reason, err);
      if (a.then === 'done') return;
      poison.add(msg.record.messageId);
      throw err;
    };
    const response = await processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false });
    await delayRetries(event, response, poison, opts.backoff);
    return response;
  };
  return middy(core).use(injectLambdaContext(logger, { resetKeys: true }));
}

async function delayRetries(event: SQSEvent, response: SQSBatchResponse, poison: Set<string>, backoff?: SqsOptions<z.ZodType>['backoff']): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  if (!failed.size) return;
  const byQueue = new Map<string, SQSRecord[]>();
  for (const r of event.Records) {
    if (!failed.has(r.messageId)) continue;
    byQueue.set(r.eventSourceARN, [...(byQueue.get(r.eventSourceARN) ?? []), r]);
  }
  for (const [arn, records] of byQueue) {
    try {
      const QueueUrl = await queueUrlFromArn(arn);
      for (let i = 0; i < records.length; i += 10) {
        await sqs().send(new ChangeMessageVisibilityBatchCommand({
          QueueUrl,
          Entries: records.slice(i, i + 10).map((r, j) => ({
            Id: String(j),
            ReceiptHandle: r.receiptHandle,
            // A poison message gains nothing from waiting: let it reach the DLQ quickly.
            VisibilityTimeout: poison.has(r.messageId) ? 0 : backoffSeconds(Number(r.attributes?.ApproximateReceiveCount ?? 1), backoff),
          })),
        }));
      }
    } catch (err) {
      // The queue's own visibility timeout still applies; retry just comes at the default pace.
      logger.warn('could not set retry backoff', { error: (err as Error).message });
    }
  }
}
