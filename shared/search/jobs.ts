/**
 * Batch jobs: one job item with counters, plus one marker item per finished task so that a task
 * delivered twice (SQS is at-least-once; two workers may race) is counted once. Marker and counter
 * change in one transaction. Everything expires by TTL: the job JOB_TTL after it completes, markers
 * TASK_TTL after they are written (longer than a message can live in the queue, so no duplicate can
 * outlive its marker).
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../platform/dynamo.js';
import { taskSortKey, type JobRecord } from './records.js';

export const JOB_TTL_SECONDS = 24 * 3600;
/** Above the extract queue's 4-day message retention. */
export const TASK_TTL_SECONDS = 5 * 24 * 3600;
/** A job that never started (the API died while queuing) or never finished still goes away. */
export const UNFINISHED_TTL_SECONDS = 14 * 24 * 3600;

const jobKey = (jobId: string) => ({ pk: `job#${jobId}`, sk: 'job' });
const secs = (ms: number) => Math.floor(ms / 1000);

export class JobsRepo {
  constructor(private readonly table: string, private readonly ddb: DynamoDBDocumentClient, private readonly ttl = { job: JOB_TTL_SECONDS, task: TASK_TTL_SECONDS }) {}

  async create(j: { jobId: string; total: number; appId?: string; now: number }): Promise<JobRecord> {
    const job: JobRecord = {
      jobId: j.jobId,
      total: j.total,
      done: 0,
      failed: 0,
      remaining: j.total,
      state: 'queuing',
      createdAt: j.now,
      expiresAt: secs(j.now) + UNFINISHED_TTL_SECONDS,
      ...(j.appId ? { appId: j.appId } : {}),
    };
    await this.ddb.send(new PutCommand({ TableName: this.table, Item: { ...jobKey(j.jobId), ...job }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return job;
  }

  /** All tasks are queued. Workers may have finished some (or all) already. */
  async markRunning(jobId: string): Promise<void> {
    await this.ddb.send(new UpdateCommand({
      TableName: this.table,
      Key: jobKey(jobId),
      UpdateExpression: 'SET #state = :running',
      ConditionExpression: '#state = :queuing',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':running': 'running', ':queuing': 'queuing' },
    }));
    await this.tryComplete(jobId, Date.now());
  }

  async markFailed(jobId: string, error: string, now: number): Promise<void> {
    await this.ddb.send(new UpdateCommand({
      TableName: this.table,
      Key: jobKey(jobId),
      UpdateExpression: 'SET #state = :failed, #error = :error, completedAt = :now, expiresAt = :exp',
      ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
      ExpressionAttributeValues: { ':failed': 'failed', ':error': error.slice(0, 500), ':now': now, ':exp': secs(now) + this.ttl.job },
    }));
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const r = await this.ddb.send(new GetCommand({ TableName: this.table, Key: jobKey(jobId), ConsistentRead: true }));
    return r.Item as JobRecord | undefined;
  }

  /**
   * Counts one task's outcome, once: false when this task was counted already (duplicate delivery).
   * Completes the job when it was the last one.
   */
  async recordTask(jobId: string, imageKey: string, outcome: { ok: boolean; reason?: string }, now: number): Promise<boolean> {
    let counted = true;
    try {
      await this.ddb.send(new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: {
                pk: `job#${jobId}`,
                sk: taskSortKey(imageKey),
                imageKey,
                outcome: outcome.ok ? 'done' : 'failed',
                ...(outcome.reason ? { reason: outcome.reason.slice(0, 500) } : {}),
                at: now,
                expiresAt: secs(now) + this.ttl.task,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: this.table,
              Key: jobKey(jobId),
              UpdateExpression: `ADD ${outcome.ok ? '#done' : '#failed'} :one, remaining :minus`,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: outcome.ok ? { '#done': 'done' } : { '#failed': 'failed' },
              ExpressionAttributeValues: { ':one': 1, ':minus': -1 },
            },
          },
        ],
      }));
    } catch (err) {
      const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
      if ((err as Error).name !== 'TransactionCanceledException' || !reasons) throw err;
      // Marker exists: counted before. Job gone (expired or never created): nothing to count against.
      if (reasons[0]?.Code === 'ConditionalCheckFailed' || reasons[1]?.Code === 'ConditionalCheckFailed') counted = false;
      else throw err;
    }
    // Also on a duplicate: the delivery that counted may have died before completing the job.
    await this.tryComplete(jobId, now);
    return counted;
  }

  /** running → completed once nothing remains; starts the job's TTL. */
  async tryComplete(jobId: string, now: number): Promise<boolean> {
    try {
      await this.ddb.send(new UpdateCommand({
        TableName: this.table,
        Key: jobKey(jobId),
        UpdateExpression: 'SET #state = :completed, completedAt = :now, expiresAt = :exp',
        ConditionExpression: '#state = :running AND remaining <= :zero',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':completed': 'completed', ':running': 'running', ':zero': 0, ':now': now, ':exp': secs(now) + this.ttl.job },
      }));
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
