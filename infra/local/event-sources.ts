import {
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FauxqsServer } from 'fauxqs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceConfig } from './service.js';
import { logicalIdOf } from './service.js';
import type { Provisioned } from './provision.js';

/**
 * The event sources serverless-offline lacks, with AWS semantics:
 * - SQS event source mappings: batch size, batching window, partial batch responses
 *   (ReportBatchItemFailures), failed records left to reappear after their visibility timeout and
 *   moved to the DLQ by the queue's redrive policy, FIFO order per message group;
 * - S3 ObjectCreated notifications (prefix/suffix rules) in the real S3 event shape, invoked
 *   asynchronously with Lambda's two retries.
 * Functions are invoked through serverless-offline's Lambda API, like AWS would.
 */
export interface EventSourceDeps {
  svc: ServiceConfig;
  provisioned: Provisioned;
  sqs: SQSClient;
  s3: S3Client;
  lambda: LambdaClient;
  fauxqs: FauxqsServer;
  region: string;
  log?: (line: string) => void;
}

export interface SqsMapping {
  functionName: string;
  queue: Provisioned['queues'][string];
  batchSize: number;
  windowMs: number;
  reportFailures: boolean;
  enabled: boolean;
}

export interface S3Subscription {
  functionName: string;
  /** The function's reservedConcurrency: at most this many invocations at once (as on AWS). */
  concurrency?: number;
  bucket: string;
  events: string[];
  prefix: string;
  suffix: string;
}

export function sqsMappings(svc: ServiceConfig, provisioned: Provisioned): SqsMapping[] {
  const out: SqsMapping[] = [];
  for (const [key, fn] of Object.entries(svc.functions)) {
    for (const ev of fn.events ?? []) {
      const raw = ev.sqs as Record<string, unknown> | string | undefined;
      if (!raw) continue;
      const def = typeof raw === 'string' ? { arn: raw } : raw;
      const id = logicalIdOf(def.arn);
      const queue = id
        ? provisioned.queues[id]
        : Object.values(provisioned.queues).find((q) => q.arn === def.arn || q.name === String(def.arn).split(':').pop());
      if (!queue) throw new Error(`function ${key}: sqs event names an undeclared queue`);
      const fifo = queue.fifo;
      out.push({
        functionName: fn.name ?? key,
        queue,
        batchSize: Number(def.batchSize ?? 10),
        // AWS: FIFO mappings have no batching window.
        windowMs: fifo ? 0 : Number(def.maximumBatchingWindow ?? 0) * 1000,
        reportFailures: def.functionResponseType === 'ReportBatchItemFailures',
        enabled: def.enabled !== false,
      });
    }
  }
  return out;
}

export function s3Subscriptions(svc: ServiceConfig): S3Subscription[] {
  const out: S3Subscription[] = [];
  for (const [key, fn] of Object.entries(svc.functions)) {
    for (const ev of fn.events ?? []) {
      const def = ev.s3 as Record<string, unknown> | undefined;
      if (!def) continue;
      const rules = (def.rules as Array<Record<string, string>> | undefined) ?? [];
      const event = def.event;
      out.push({
        functionName: fn.name ?? key,
        ...(fn.reservedConcurrency ? { concurrency: Number(fn.reservedConcurrency) } : {}),
        bucket: String(def.bucket),
        events: (Array.isArray(event) ? event : [event ?? 's3:ObjectCreated:*']).map(String),
        prefix: rules.find((r) => r.prefix !== undefined)?.prefix ?? '',
        suffix: rules.find((r) => r.suffix !== undefined)?.suffix ?? '',
      });
    }
  }
  return out;
}

/** Lambda's view of an SQS message (attribute names and casing as AWS delivers them). */
export function toSqsRecord(m: Message, queueArn: string, region: string) {
  const messageAttributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[k] = {
      stringValue: v.StringValue,
      binaryValue: v.BinaryValue ? Buffer.from(v.BinaryValue).toString('base64') : undefined,
      stringListValues: v.StringListValues ?? [],
      binaryListValues: [],
      dataType: v.DataType,
    };
  }
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: m.Attributes ?? {},
    messageAttributes,
    md5OfBody: m.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

class Poller {
  private stopped = false;
  private loops: Promise<void>[] = [];
  constructor(private readonly m: SqsMapping, private readonly d: EventSourceDeps) {}

  start(concurrency: number): void {
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
  }

  private async receive(max: number, waitSeconds: number): Promise<Message[]> {
    const { Messages } = await this.d.sqs.send(new ReceiveMessageCommand({
      QueueUrl: this.m.queue.url,
      MaxNumberOfMessages: Math.min(10, max),
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }));
    return Messages ?? [];
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const batch = await this.receive(this.m.batchSize, 1);
        if (!batch.length) continue;
        // Batching window: keep gathering until the batch is full or the window closes.
        const closesAt = Date.now() + this.m.windowMs;
        while (batch.length < this.m.batchSize && Date.now() < closesAt && !this.stopped) {
          const more = await this.receive(this.m.batchSize - batch.length, 0);
          if (more.length) batch.push(...more);
          else await sleep(Math.min(100, Math.max(0, closesAt - Date.now())));
        }
        await this.deliver(batch);
      } catch (err) {
        if (!this.stopped) {
          this.d.log?.(`[sqs] ${this.m.functionName}: ${(err as Error).message}`);
          await sleep(1000);
        }
      }
    }
  }

  private async deliver(batch: Message[]): Promise<void> {
    const event = { Records: batch.map((m) => toSqsRecord(m, this.m.queue.arn, this.d.region)) };
    const failed = await invokeForFailures(this.d.lambda, this.m.functionName, event, this.m.reportFailures);
    // A failed record stays in the queue: it reappears after its visibility timeout (or the
    // shorter one the consumer set for backoff) and goes to the DLQ after maxReceiveCount.
    const done = batch.filter((m) => failed !== 'all' && !failed.has(m.MessageId!));
    if (failed !== 'all' && failed.size) this.d.log?.(`[sqs] ${this.m.functionName}: ${failed.size} of ${batch.length} record(s) failed`);
    for (let i = 0; i < done.length; i += 10) {
      await this.d.sqs.send(new DeleteMessageBatchCommand({
        QueueUrl: this.m.queue.url,
        Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
      }));
    }
  }
}

/**
 * Invokes a function with an SQS batch. Returns the ids of the records that failed: 'all' when the
 * invocation itself failed (AWS then retries the whole batch).
 */
async function invokeForFailures(
  lambda: LambdaClient,
  functionName: string,
  event: unknown,
  reportFailures: boolean,
): Promise<Set<string> | 'all'> {
  const res = await lambda.send(new InvokeCommand({
    FunctionName: functionName,
    InvocationType: 'RequestResponse',
    Payload: Buffer.from(JSON.stringify(event)),
  }));
  const text = res.Payload ? Buffer.from(res.Payload).toString('utf8') : '';
  let payload: unknown;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    payload = undefined;
  }
  if (res.FunctionError || isErrorPayload(payload)) return 'all';
  if (!reportFailures) return new Set();
  const failures = (payload as { batchItemFailures?: Array<{ itemIdentifier?: string }> } | undefined)?.batchItemFailures;
  if (!Array.isArray(failures)) return new Set();
  // AWS: an empty or missing identifier fails the whole batch.
  if (failures.some((f) => !f.itemIdentifier)) return 'all';
  return new Set(failures.map((f) => f.itemIdentifier!));
}

function isErrorPayload(p: unknown): boolean {
  return Boolean(p && typeof p === 'object' && 'errorMessage' in p && 'errorType' in p);
}

function matches(sub: S3Subscription, key: string, eventName: string): boolean {
  const wanted = sub.events.some((e) => {
    const pattern = e.replace(/^s3:/, '');
    return pattern.endsWith('*') ? eventName.startsWith(pattern.slice(0, -1)) : pattern === eventName;
  });
  return wanted && key.startsWith(sub.prefix) && key.endsWith(sub.suffix);
}

export function s3Event(opts: { region: string; bucket: string; key: string; size: number; etag: string; eventName: string }) {
  return {
    Records: [{
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: opts.region,
      eventTime: new Date().toISOString(),
      eventName: opts.eventName,
      userIdentity: { principalId: 'local' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'local',
        bucket: { name: opts.bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${opts.bucket}` },
        // S3 URL-encodes keys in events (spaces as '+').
        object: { key: encodeURIComponent(opts.key).replace(/%20/g, '+').replace(/%2F/g, '/'), size: opts.size, eTag: opts.etag, sequencer: Date.now().toString(16).toUpperCase() },
      },
    }],
  };
}

export interface EventSources {
  stop(): Promise<void>;
  mappings: SqsMapping[];
  subscriptions: S3Subscription[];
}

export function startEventSources(d: EventSourceDeps, opts: { concurrency?: number } = {}): EventSources {
  const mappings = sqsMappings(d.svc, d.provisioned).filter((m) => m.enabled);
  const pollers = mappings.map((m) => new Poller(m, d));
  pollers.forEach((p) => p.start(opts.concurrency ?? 2));

  const subscriptions = s3Subscriptions(d.svc);
  // serverless-offline starts a worker per concurrent call (each loading its own model): keep
  // to the function's reserved concurrency, like Lambda throttling async invocations would.
  const limits = new Map<string, Semaphore>();
  for (const s of subscriptions) if (s.concurrency) limits.set(s.functionName, new Semaphore(s.concurrency));
  let stopped = false;
  const inflight = new Set<Promise<void>>();
  const onUpload = (bucket: string, key: string) => {
    const subs = subscriptions.filter((s) => s.bucket === bucket);
    if (!subs.length || stopped) return;
    const job = (async () => {
      const head = await d.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
      if (!head) return; // deleted before we got to it
      const etag = (head.ETag ?? '').replaceAll('"', '');
      const eventName = etag.includes('-') ? 'ObjectCreated:CompleteMultipartUpload' : 'ObjectCreated:Put';
      for (const sub of subs.filter((s) => matches(s, key, eventName))) {
        const event = s3Event({ region: d.region, bucket, key, size: head.ContentLength ?? 0, etag, eventName });
        const limit = limits.get(sub.functionName);
        await (limit ? limit.run(() => invokeAsync(d, sub.functionName, event)) : invokeAsync(d, sub.functionName, event));
      }
    })().catch((err) => d.log?.(`[s3] ${bucket}/${key}: ${(err as Error).message}`));
    inflight.add(job);
    void job.finally(() => inflight.delete(job));
  };
  // fauxqs has no bucket notifications; its spy sees every stored object. A matcher that never
  // matches keeps this waiter registered for the lifetime of the server, i.e. a listener.
  d.fauxqs.spy.waitForMessage((msg) => {
    if (msg.service === 's3' && msg.status === 'uploaded') onUpload(msg.bucket, msg.key);
    return false;
  }).catch(() => undefined);

  return {
    mappings,
    subscriptions,
    async stop() {
      stopped = true;
      await Promise.allSettled([...pollers.map((p) => p.stop()), ...inflight]);
    },
  };
}

class Semaphore {
  private waiting: Array<() => void> = [];
  private active = 0;
  constructor(private readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    while (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Asynchronous invocation: Lambda retries a failed event twice, about 1 and 2 minutes apart; locally
 * 5 and 10 s, long enough to ride out a cold start on a busy machine.
 */
async function invokeAsync(d: EventSourceDeps, functionName: string, event: unknown): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const failed = await invokeForFailures(d.lambda, functionName, event, false).catch(() => 'all' as const);
    if (failed !== 'all') return;
    if (attempt < 3) await sleep(attempt * 5000);
  }
  d.log?.(`[s3] ${functionName}: event failed after 3 attempts: ${JSON.stringify(event).slice(0, 300)}`);
}
