import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { dynamo, s3, sqs } from '../../shared/platform/aws.js';
import { loadConfig } from '../../shared/platform/config.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { queueUrl } from '../../shared/platform/sqs/queues.js';
import * as api from '../../shared/api/core.js';

const cfg = loadConfig({
  IDS_TABLE: z.string().min(1),
  HEALTH_BUCKET: z.string().min(1),
  HEALTH_QUEUE: z.string().min(1),
  STAGE: z.string().min(1).default('local'),
});

type Check = () => Promise<unknown>;
type State = { status: 'up'; ms: number } | { status: 'down'; error: string };

/** Each dependency with a 5 s budget, so a dead emulator answers 503 rather than hanging. */
async function probe(checks: Record<string, Check>): Promise<Record<string, State>> {
  const entries = await Promise.all(Object.entries(checks).map(async ([name, check]) => {
    const started = Date.now();
    try {
      await Promise.race([check(), new Promise((_, rej) => setTimeout(() => rej(new Error('timed out after 5000 ms')), 5000).unref())]);
      return [name, { status: 'up', ms: Date.now() - started } as State] as const;
    } catch (err) {
      return [name, { status: 'down', error: (err as Error).message } as State] as const;
    }
  }));
  return Object.fromEntries(entries);
}

/** GET /health → 200 with each dependency's state, or 503 naming the ones that are down. */
export const handler = httpHandler(api.health, async () => {
  const dependencies = await probe({
    dynamodb: () => dynamo().send(new DescribeTableCommand({ TableName: cfg.IDS_TABLE })),
    s3: () => s3().send(new ListObjectsV2Command({ Bucket: cfg.HEALTH_BUCKET, MaxKeys: 1 })),
    sqs: async () => sqs().send(new GetQueueAttributesCommand({ QueueUrl: await queueUrl(cfg.HEALTH_QUEUE), AttributeNames: ['QueueArn'] })),
  });
  const down = Object.entries(dependencies).filter(([, d]) => d.status === 'down').map(([n]) => n);
  return json(down.length ? 503 : 200, {
    status: down.length ? 'degraded' : 'ok',
    ...(down.length ? { down } : {}),
    stage: cfg.STAGE,
    dependencies,
  });
});
