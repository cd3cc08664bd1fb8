import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, s3 } from '../../../shared/platform/aws.js';
import { stackInfo } from '../../support/env.js';
import { api, eventually } from '../../support/http.js';
import { resource } from '../../support/names.js';

export const BUCKET = resource('searchImages');
export const FEATURES = resource('features');
export const INDEX_TABLE = resource('searchIndex');
export const run = randomUUID().slice(0, 8);
export const fixture = (name: string) => readFile(resolve(import.meta.dirname, '../../fixtures', name));
export const filesUrl = () => (stackInfo().peers as Record<string, string>).searchFiles!;

export async function putImage(key: string, body: Buffer | string): Promise<string> {
  await s3().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  return key;
}

/** The current model's record (there is one model per stage). */
export async function featureRecord(imageKey: string): Promise<Record<string, any> | undefined> {
  const r = await ddb().send(new QueryCommand({ TableName: FEATURES, KeyConditionExpression: 'imageKey = :k', ExpressionAttributeValues: { ':k': imageKey }, ConsistentRead: true }));
  if ((r.Items?.length ?? 0) > 1) throw new Error(`${imageKey}: ${r.Items!.length} feature records`);
  return r.Items?.[0];
}

export const settled = (imageKey: string, timeoutMs = 180_000) =>
  eventually(async () => {
    const rec = await featureRecord(imageKey);
    return rec && (rec.status === 'indexed' || rec.status === 'failed') ? rec : undefined;
  }, `${imageKey} to be indexed`, timeoutMs, 500);

/** Index log entries (all versions still in the log) that concern one image. */
export async function logEntriesFor(model: string, imageKey: string): Promise<Array<{ op: string; id: string }>> {
  const out: Array<{ op: string; id: string }> = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const r = await ddb().send(new QueryCommand({
      TableName: INDEX_TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `log#${model}` },
      ProjectionExpression: 'op, id',
      ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
    }));
    for (const i of r.Items ?? []) if (String(i.id).startsWith(`${imageKey}#`)) out.push(i as { op: string; id: string });
    ExclusiveStartKey = r.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return out;
}

export async function indexHead(model: string) {
  return (await ddb().send(new GetCommand({ TableName: INDEX_TABLE, Key: { pk: `head#${model}`, sk: 0 }, ConsistentRead: true }))).Item;
}

let lambda: LambdaClient | undefined;

/** Invokes a function through serverless-offline's Lambda API, like an event source would. */
export async function invoke(fn: string, event: unknown): Promise<any> {
  lambda ??= new LambdaClient({ region: 'us-east-1', endpoint: stackInfo().lambdaUrl, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const r = await lambda.send(new InvokeCommand({ FunctionName: `panoptes-local-${fn}`, Payload: Buffer.from(JSON.stringify(event)) }));
  const text = r.Payload ? Buffer.from(r.Payload).toString() : '';
  if (r.FunctionError) throw new Error(`${fn}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** An SQS event as the mapping would deliver it (receipt handles are fake: visibility changes just fail). */
export function sqsEvent(bodies: unknown[], queue: string) {
  return {
    Records: bodies.map((body) => ({
      messageId: randomUUID(),
      receiptHandle: `fake-${randomUUID()}`,
      body: JSON.stringify(body),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
      awsRegion: 'us-east-1',
    })),
  };
}

export async function job(jobId: string) {
  const r = await api('GET', `/features/jobs/${jobId}`);
  return r.json;
}

export const finished = (jobId: string, timeoutMs = 240_000) =>
  eventually(async () => {
    const j = await job(jobId);
    return j?.state === 'completed' ? j : undefined;
  }, `job ${jobId} to complete`, timeoutMs, 1000);

/** Is the point inside the [x, y, w, h] box? */
export const inside = (box: number[], [px, py]: [number, number]) => px >= box[0]! && px <= box[0]! + box[2]! && py >= box[1]! && py <= box[1]! + box[3]!;
