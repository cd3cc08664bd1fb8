import { GetQueueUrlCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../aws.js';

const urls = new Map<string, Promise<string>>();

/** Queue URL by name, looked up once per container (names come from env; URLs differ per cloud). */
export function queueUrl(name: string): Promise<string> {
  let url = urls.get(name);
  if (!url) {
    url = sqs().send(new GetQueueUrlCommand({ QueueName: name })).then((r) => r.QueueUrl!);
    url.catch(() => urls.delete(name));
    urls.set(name, url);
  }
  return url;
}

export function queueUrlFromArn(arn: string): Promise<string> {
  const name = arn.split(':').pop();
  if (!name) throw new Error(`not a queue ARN: ${arn}`);
  return queueUrl(name);
}

export interface OutMessage {
  body: unknown;
  groupId?: string;
  dedupId?: string;
  delaySeconds?: number;
}

export async function send(queueName: string, msg: OutMessage): Promise<void> {
  await sqs().send(new SendMessageCommand({
    QueueUrl: await queueUrl(queueName),
    MessageBody: JSON.stringify(msg.body),
    ...(msg.groupId ? { MessageGroupId: msg.groupId } : {}),
    ...(msg.dedupId ? { MessageDeduplicationId: msg.dedupId } : {}),
    ...(msg.delaySeconds ? { DelaySeconds: msg.delaySeconds } : {}),
  }));
}

/** Sends in batches of 10; throws if any entry failed (the caller decides how to answer). */
export async function sendBatch(queueName: string, msgs: OutMessage[]): Promise<void> {
  const QueueUrl = await queueUrl(queueName);
  for (let i = 0; i < msgs.length; i += 10) {
    const chunk = msgs.slice(i, i + 10);
    const res = await sqs().send(new SendMessageBatchCommand({
      QueueUrl,
      Entries: chunk.map((m, j) => ({
        Id: String(j),
        MessageBody: JSON.stringify(m.body),
        ...(m.groupId ? { MessageGroupId: m.groupId } : {}),
        ...(m.dedupId ? { MessageDeduplicationId: m.dedupId } : {}),
        ...(m.delaySeconds ? { DelaySeconds: m.delaySeconds } : {}),
      })),
    }));
    if (res.Failed?.length) throw new Error(`SQS refused ${res.Failed.length} message(s): ${res.Failed[0]?.Message}`);
  }
}
