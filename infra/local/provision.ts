import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  UpdateTableCommand,
  type DynamoDBClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, PutBucketLifecycleConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { CfnResource, ServiceConfig } from './service.js';
import { logicalIdOf } from './service.js';

export interface Clients {
  dynamo: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  sns: SNSClient;
}

/** What provisioning created, by logical id: names, URLs and ARNs for the event sources. */
export interface Provisioned {
  tables: Record<string, { name: string }>;
  queues: Record<string, { name: string; url: string; arn: string; fifo: boolean; visibilityTimeout: number }>;
  buckets: Record<string, { name: string }>;
  topics: Record<string, { name: string; arn: string }>;
}

type Props = Record<string, any>; // CloudFormation properties, already validated by the schema of AWS

/**
 * Creates every table, queue, bucket and topic declared under `resources` on the emulators.
 * Idempotent: what exists is left alone (and its missing GSIs are added), so a restart with
 * --persist keeps the data.
 */
export async function provision(svc: ServiceConfig, c: Clients): Promise<Provisioned> {
  const out: Provisioned = { tables: {}, queues: {}, buckets: {}, topics: {} };
  const res = Object.entries(svc.resources.Resources);
  const of = (type: string) => res.filter(([, r]) => r.Type === type) as Array<[string, CfnResource & { Properties: Props }]>;

  await Promise.all(of('AWS::DynamoDB::Table').map(async ([id, r]) => {
    out.tables[id] = { name: await ensureTable(c.dynamo, r.Properties) };
  }));
  await Promise.all(of('AWS::S3::Bucket').map(async ([id, r]) => {
    out.buckets[id] = { name: await ensureBucket(c.s3, r.Properties) };
  }));

  // Queues without a redrive policy first (the DLQs), so that redrive targets exist.
  const queues = of('AWS::SQS::Queue').sort(([, a], [, b]) => Number(Boolean(a.Properties.RedrivePolicy)) - Number(Boolean(b.Properties.RedrivePolicy)));
  for (const [id, r] of queues) out.queues[id] = await ensureQueue(c.sqs, r.Properties, out);

  for (const [id, r] of of('AWS::SNS::Topic')) {
    const p = r.Properties;
    const fifo = Boolean(p.FifoTopic);
    const { TopicArn } = await c.sns.send(new CreateTopicCommand({ Name: p.TopicName, ...(fifo ? { Attributes: { FifoTopic: 'true' } } : {}) }));
    out.topics[id] = { name: p.TopicName, arn: TopicArn! };
  }
  for (const [, r] of of('AWS::SNS::Subscription')) {
    const p = r.Properties;
    const topic = out.topics[logicalIdOf(p.TopicArn) ?? ''];
    const queue = out.queues[logicalIdOf(p.Endpoint) ?? ''];
    if (!topic || !queue || p.Protocol !== 'sqs') continue; // other protocols have no local endpoint
    await c.sns.send(new SubscribeCommand({
      TopicArn: topic.arn, Protocol: 'sqs', Endpoint: queue.arn,
      ...(p.RawMessageDelivery ? { Attributes: { RawMessageDelivery: String(p.RawMessageDelivery) } } : {}),
    }));
  }
  return out;
}

async function ensureTable(dynamo: DynamoDBClient, p: Props): Promise<string> {
  const name: string = p.TableName;
  const input: CreateTableCommandInput = {
    TableName: name,
    AttributeDefinitions: p.AttributeDefinitions,
    KeySchema: p.KeySchema,
    BillingMode: p.BillingMode ?? 'PAY_PER_REQUEST',
    ...(p.ProvisionedThroughput ? { ProvisionedThroughput: p.ProvisionedThroughput } : {}),
    ...(p.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: p.GlobalSecondaryIndexes } : {}),
    ...(p.LocalSecondaryIndexes ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes } : {}),
    ...(p.StreamSpecification ? { StreamSpecification: p.StreamSpecification } : {}),
  };
  try {
    await dynamo.send(new CreateTableCommand(input));
  } catch (err) {
    if ((err as Error).name !== 'ResourceInUseException') throw err;
    await addMissingIndexes(dynamo, name, p);
  }
  if (p.TimeToLiveSpecification?.Enabled) {
    try {
      await dynamo.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: p.TimeToLiveSpecification }));
    } catch (err) {
      // Already enabled on a persisted table.
      if (!/already enabled/i.test((err as Error).message)) throw err;
    }
  }
  return name;
}

async function addMissingIndexes(dynamo: DynamoDBClient, name: string, p: Props): Promise<void> {
  const wanted: Props[] = p.GlobalSecondaryIndexes ?? [];
  if (!wanted.length) return;
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
  const have = new Set((Table?.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName));
  for (const gsi of wanted.filter((g) => !have.has(g.IndexName))) {
    await dynamo.send(new UpdateTableCommand({
      TableName: name,
      AttributeDefinitions: p.AttributeDefinitions,
      GlobalSecondaryIndexUpdates: [{ Create: gsi as never }],
    }));
  }
}

async function ensureBucket(s3: S3Client, p: Props): Promise<string> {
  const name: string = p.BucketName;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  } catch (err) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((err as Error).name)) throw err;
  }
  if (p.LifecycleConfiguration?.Rules?.length) {
    const Rules = p.LifecycleConfiguration.Rules.map((r: Props) => ({
      ID: r.Id, Status: r.Status,
      Filter: { Prefix: r.Prefix ?? '' },
      ...(r.ExpirationInDays ? { Expiration: { Days: r.ExpirationInDays } } : {}),
      ...(r.AbortIncompleteMultipartUpload ? { AbortIncompleteMultipartUpload: { DaysAfterInitiation: r.AbortIncompleteMultipartUpload.DaysAfterInitiation } } : {}),
    }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: name, LifecycleConfiguration: { Rules } }));
  }
  return name;
}

async function ensureQueue(sqs: SQSClient, p: Props, done: Provisioned): Promise<Provisioned['queues'][string]> {
  const name: string = p.QueueName;
  const fifo = Boolean(p.FifoQueue) || name.endsWith('.fifo');
  const attrs: Record<string, string> = {};
  const copy = ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'MaximumMessageSize', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'];
  for (const k of copy) if (p[k] !== undefined) attrs[k] = String(p[k]);
  if (fifo) attrs.FifoQueue = 'true';
  if (p.RedrivePolicy) {
    const dlqId = logicalIdOf(p.RedrivePolicy.deadLetterTargetArn);
    const dlq = dlqId ? done.queues[dlqId] : undefined;
    if (!dlq) throw new Error(`queue ${name}: dead-letter target ${dlqId} is not a declared queue`);
    attrs.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: Number(p.RedrivePolicy.maxReceiveCount) });
  }
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attrs }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn', 'VisibilityTimeout'] }));
  return { name, url: QueueUrl!, arn: Attributes!.QueueArn!, fifo, visibilityTimeout: Number(Attributes!.VisibilityTimeout ?? 30) };
}
