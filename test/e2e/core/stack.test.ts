import '../../support/env.js';
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { s3, sqs } from '../../../shared/platform/aws.js';
import { queueUrl } from '../../../shared/platform/sqs/queues.js';
import { api, eventually } from '../../support/http.js';
import { resource } from '../../support/names.js';

const bucket = resource('probe');

async function seen(prefix: string): Promise<string[]> {
  const r = await s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => o.Key!).sort();
}

describe('local stack', () => {
  it('GET /health answers 200 with each dependency up', async () => {
    const r = await api('GET', '/health', { key: null });
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('ok');
    for (const dep of ['dynamodb', 's3', 'sqs']) expect(r.json.dependencies[dep].status).toBe('up');
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('POST /ids/photo?count=5 returns five fresh increasing ids', async () => {
    const a = await api('POST', '/ids/photo?count=5');
    const b = await api('POST', '/ids/photo?count=5');
    expect(a.status).toBe(200);
    expect(a.json.key).toBe('photo');
    expect(a.json.ids).toHaveLength(5);
    const all = [...a.json.ids, ...b.json.ids];
    expect(new Set(all).size).toBe(10);
    expect(Math.min(...b.json.ids)).toBeGreaterThan(Math.max(...a.json.ids));
  });

  it('refuses bad id requests with a 4xx naming the field', async () => {
    const noKey = await api('POST', '/ids/photo?count=5', { key: null });
    expect(noKey.status).toBe(401);
    const wrongKey = await api('POST', '/ids/photo', { key: 'nope' });
    expect(wrongKey.status).toBe(401);
    for (const count of ['0', '1001', 'abc', '2.5']) {
      const r = await api('POST', `/ids/photo?count=${count}`);
      expect(r.status).toBe(400);
      expect(r.json.details[0].path).toBe('query.count');
      expect(r.text).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    }
    const badKey = await api('POST', `/ids/${'x'.repeat(65)}`);
    expect(badKey.status).toBe(400);
    expect(badKey.json.details[0].path).toBe('path.key');
  });

  it('a message sent to a declared queue reaches its function', async () => {
    const id = randomUUID();
    await sqs().send(new SendMessageCommand({ QueueUrl: await queueUrl(resource('probeQueue')), MessageBody: JSON.stringify({ id }) }));
    const keys = await eventually(async () => (await seen(`seen/sqs/${id}/`)).length > 0 && seen(`seen/sqs/${id}/`), 'probe consumer');
    expect(keys).toEqual([`seen/sqs/${id}/1`]);
  });

  it('partial batch failure: the good records are done once, the failing one is retried and lands in the DLQ after maxReceiveCount', async () => {
    const good = [randomUUID(), randomUUID()];
    const bad = randomUUID();
    const url = await queueUrl(resource('probeQueue'));
    for (const id of [good[0], bad, good[1]]) {
      await sqs().send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ id, ...(id === bad ? { fail: true } : {}) }) }));
    }
    const dlq = await queueUrl(resource('probeDlq'));
    const dead = await eventually(async () => {
      const r = await sqs().send(new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
      return (r.Messages ?? []).find((m) => m.Body?.includes(bad));
    }, 'failing record in the DLQ', 90_000, 500);
    expect(JSON.parse(dead.Body!).id).toBe(bad);
    // maxReceiveCount is 3: three attempts, then the DLQ.
    expect(await seen(`seen/sqs/${bad}/`)).toEqual([1, 2, 3].map((n) => `seen/sqs/${bad}/${n}`));
    for (const id of good) expect(await seen(`seen/sqs/${id}/`)).toEqual([`seen/sqs/${id}/1`]);
  });

  it('an object put in a declared bucket reaches its function (prefix/suffix rules apply)', async () => {
    const name = `incoming/${randomUUID()}.txt`;
    const ignored = `incoming/${randomUUID()}.bin`;
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: ignored, Body: 'x' }));
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: name, Body: 'hello' }));
    await eventually(async () => (await seen(`seen/s3/${name}`)).length > 0, 's3 notification');
    const body = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: `seen/s3/${name}` }));
    const event = JSON.parse(await body.Body!.transformToString());
    expect(event).toEqual({ eventName: 'ObjectCreated:Put', size: 5, bucket });
    expect(await seen(`seen/s3/${ignored}`)).toEqual([]);
  });
});
