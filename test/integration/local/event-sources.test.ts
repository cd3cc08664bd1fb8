import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { startEventSources, type EventSources } from '../../../infra/local/event-sources.js';
import { provision, type Provisioned } from '../../../infra/local/provision.js';
import type { ServiceConfig } from '../../../infra/local/service.js';
import { clientsFor, emulatorEnv } from '../../../infra/local/stack.js';

/**
 * The local event sources against a real fauxqs and a real HTTP server speaking the Lambda Invoke
 * API (standing in for serverless-offline, so that each test controls what the "function" answers).
 */
type Invocation = { fn: string; event: any; at: number };
let fauxqs: FauxqsServer;
let lambdaServer: Server;
let sources: EventSources;
let provisioned: Provisioned;
let clients: ReturnType<typeof clientsFor>;
const invocations: Invocation[] = [];
const behaviour = new Map<string, (event: any) => Promise<{ status?: number; body: unknown; functionError?: boolean }>>();

const svc: ServiceConfig = {
  service: 't',
  provider: { stage: 'local', region: 'us-east-1' },
  custom: {},
  functions: {
    windowed: { name: 'windowed', events: [{ sqs: { arn: { 'Fn::GetAtt': ['Windowed', 'Arn'] }, batchSize: 10, maximumBatchingWindow: 2, functionResponseType: 'ReportBatchItemFailures' } }] },
    partial: { name: 'partial', events: [{ sqs: { arn: { 'Fn::GetAtt': ['Partial', 'Arn'] }, batchSize: 10, functionResponseType: 'ReportBatchItemFailures' } }] },
    crashing: { name: 'crashing', events: [{ sqs: { arn: { 'Fn::GetAtt': ['Crashing', 'Arn'] }, batchSize: 5 } }] },
    ordered: { name: 'ordered', events: [{ sqs: { arn: { 'Fn::GetAtt': ['Ordered', 'Arn'] }, batchSize: 3, functionResponseType: 'ReportBatchItemFailures' } }] },
    throttled: { name: 'throttled', reservedConcurrency: 1, events: [{ s3: { bucket: 'es-bucket', event: 's3:ObjectCreated:*', existing: true, rules: [{ prefix: 'slow/' }] } }] },
    objects: { name: 'objects', events: [{ s3: { bucket: 'es-bucket', event: 's3:ObjectCreated:*', existing: true, rules: [{ prefix: 'in/' }, { suffix: '.jpg' }] } }] },
  },
  resources: {
    Resources: {
      WindowedDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'es-windowed-dlq' } },
      Windowed: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'es-windowed', VisibilityTimeout: 30 } },
      PartialDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'es-partial-dlq' } },
      Partial: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'es-partial', VisibilityTimeout: 1, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['PartialDlq', 'Arn'] }, maxReceiveCount: 2 } } },
      Crashing: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'es-crashing', VisibilityTimeout: 1 } },
      Ordered: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'es-ordered.fifo', FifoQueue: true, ContentBasedDeduplication: true, VisibilityTimeout: 5 } },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'es-bucket' } },
    },
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(pred: () => boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(50);
  }
}
const of = (fn: string) => invocations.filter((i) => i.fn === fn);
const bodies = (fn: string) => of(fn).flatMap((i) => i.event.Records.map((r: any) => JSON.parse(r.body)));

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false, messageSpies: { bufferSize: 50 } });
  lambdaServer = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const fn = decodeURIComponent(/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '');
    const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    invocations.push({ fn, event, at: Date.now() });
    const b = behaviour.get(fn);
    const out = b ? await b(event) : { body: {} };
    res.writeHead(out.status ?? 200, { 'content-type': 'application/json', ...(out.functionError ? { 'x-amz-function-error': 'Unhandled' } : {}) });
    res.end(JSON.stringify(out.body));
  });
  await new Promise<void>((r) => lambdaServer.listen(0, '127.0.0.1', r));
  const env = emulatorEnv({ awsEndpoint: `http://127.0.0.1:${fauxqs.port}`, dynamoEndpoint: 'http://127.0.0.1:1' });
  clients = clientsFor(env);
  await clients.s3.send(new CreateBucketCommand({ Bucket: 'es-bucket' }));
  provisioned = await provision({ ...svc, resources: { Resources: Object.fromEntries(Object.entries(svc.resources.Resources).filter(([, r]) => r.Type !== 'AWS::S3::Bucket')) } }, clients as any);
  const lambda = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 't', secretAccessKey: 't' }, endpoint: `http://127.0.0.1:${(lambdaServer.address() as AddressInfo).port}` });
  sources = startEventSources({ svc, provisioned, sqs: clients.sqs, s3: clients.s3, lambda, fauxqs, region: 'us-east-1' });
});

afterAll(async () => {
  await sources?.stop();
  await new Promise((r) => lambdaServer?.close(r));
  await fauxqs?.stop();
});

describe('local SQS event source mapping', () => {
  it('gathers records for the batching window, up to the batch size', async () => {
    const url = provisioned.queues.Windowed!.url;
    for (let i = 0; i < 5; i++) {
      await clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ i }) }));
      await sleep(100);
    }
    await until(() => bodies('windowed').length === 5);
    // All five sent within the 2 s window arrive together (two pollers may split them at most once).
    expect(of('windowed').length).toBeLessThanOrEqual(2);
    const rec = of('windowed')[0]!.event.Records[0];
    expect(rec).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: provisioned.queues.Windowed!.arn, awsRegion: 'us-east-1' });
    expect(rec.attributes.ApproximateReceiveCount).toBe('1');
    expect(typeof rec.receiptHandle).toBe('string');

    await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: JSON.stringify({ j: i }) })) }));
    await clients.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: JSON.stringify({ j: 10 + i }) })) }));
    await until(() => bodies('windowed').length === 25);
    for (const inv of of('windowed')) expect(inv.event.Records.length).toBeLessThanOrEqual(10);
  });

  it('ReportBatchItemFailures: reported records come back and reach the DLQ after maxReceiveCount; the rest are deleted', async () => {
    const bad = randomUUID();
    behaviour.set('partial', async (event) => ({
      body: { batchItemFailures: event.Records.filter((r: any) => JSON.parse(r.body).id === bad).map((r: any) => ({ itemIdentifier: r.messageId })) },
    }));
    const url = provisioned.queues.Partial!.url;
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ id: 'good' }) }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ id: bad }) }));
    const dlqUrl = provisioned.queues.PartialDlq!.url;
    await until(() => {
      const q = fauxqs.inspectQueue('es-partial-dlq');
      return (q?.messages.ready.length ?? 0) > 0;
    });
    expect(bodies('partial').filter((b) => b.id === bad)).toHaveLength(2); // maxReceiveCount
    expect(bodies('partial').filter((b) => b.id === 'good')).toHaveLength(1);
    const main = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(Number(main.Attributes!.ApproximateNumberOfMessages) + Number(main.Attributes!.ApproximateNumberOfMessagesNotVisible)).toBe(0);
    expect(dlqUrl).toBeTruthy();
  });

  it('an invocation error retries the whole batch', async () => {
    let calls = 0;
    behaviour.set('crashing', async () => (++calls === 1 ? { body: { errorMessage: 'boom', errorType: 'Error' }, functionError: true } : { body: null }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: provisioned.queues.Crashing!.url, MessageBody: JSON.stringify({ k: 1 }) }));
    await until(() => of('crashing').length >= 2);
    const counts = of('crashing').map((i) => i.event.Records[0].attributes.ApproximateReceiveCount);
    expect(counts.slice(0, 2)).toEqual(['1', '2']);
  });

  it('FIFO: order is kept per message group', async () => {
    // A slow, jittery function: order must still hold within each group.
    behaviour.set('ordered', async () => {
      await sleep(Math.random() * 60);
      return { body: { batchItemFailures: [] } };
    });
    const url = provisioned.queues.Ordered!.url;
    for (let n = 0; n < 12; n++) {
      for (const g of ['a', 'b']) {
        await clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ g, n }), MessageGroupId: g }));
      }
    }
    await until(() => bodies('ordered').length === 24);
    for (const g of ['a', 'b']) {
      expect(bodies('ordered').filter((b) => b.g === g).map((b) => b.n)).toEqual([...Array(12).keys()]);
    }
    const rec = of('ordered')[0]!.event.Records[0];
    expect(rec.attributes.MessageGroupId).toBeDefined();
  });
});

describe('local S3 notifications', () => {
  it('delivers ObjectCreated in the S3 event shape, honouring prefix/suffix rules and encoding keys', async () => {
    await clients.s3.send(new PutObjectCommand({ Bucket: 'es-bucket', Key: 'in/a photo.jpg', Body: Buffer.alloc(1234) }));
    await clients.s3.send(new PutObjectCommand({ Bucket: 'es-bucket', Key: 'out/b.jpg', Body: 'x' }));
    await clients.s3.send(new PutObjectCommand({ Bucket: 'es-bucket', Key: 'in/c.png', Body: 'x' }));
    await until(() => of('objects').length >= 1);
    await sleep(500);
    expect(of('objects')).toHaveLength(1);
    const r = of('objects')[0]!.event.Records[0];
    expect(r).toMatchObject({ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', awsRegion: 'us-east-1' });
    expect(r.s3.bucket.name).toBe('es-bucket');
    expect(r.s3.object).toMatchObject({ key: 'in/a+photo.jpg', size: 1234 });
    expect(r.s3.object.eTag).toMatch(/^[0-9a-f]{32}$/);
  });

  it("keeps to the function's reserved concurrency", async () => {
    let inFlight = 0;
    let peak = 0;
    behaviour.set('throttled', async () => {
      peak = Math.max(peak, ++inFlight);
      await sleep(200);
      inFlight--;
      return { body: null };
    });
    for (let i = 0; i < 4; i++) await clients.s3.send(new PutObjectCommand({ Bucket: 'es-bucket', Key: `slow/${i}`, Body: 'x' }));
    await until(() => of('throttled').length === 4);
    expect(peak).toBe(1);
  });
});
