import type { Command } from 'commander';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { sqs } from '../shared/platform/aws.js';

/**
 * `panoptes redrive <dlq> [--to <queue>] [--max N]`: moves messages from a dead-letter queue back to
 * the queue they came from, so they are processed again.
 *
 * On AWS (no endpoint override, no --max) it starts an SQS message move task. Emulators (fauxqs) have
 * no StartMessageMoveTask, so elsewhere, or when that call is refused, messages are copied one batch at
 * a time: receive → send (same body and attributes; FIFO: same group) → delete what was sent.
 */
export interface RedriveOptions {
  dlq: string;
  to?: string;
  max?: number;
  client?: SQSClient;
  /** Allow StartMessageMoveTask (default: only when talking to AWS itself). */
  moveTask?: boolean;
  log?: (line: string) => void;
}

export interface RedriveResult {
  dlq: string;
  source: string;
  method: 'move-task' | 'copy';
  moved: number;
  taskHandle?: string;
}

const isUrl = (s: string) => /^https?:\/\//.test(s);
const nameOf = (urlOrName: string) => (isUrl(urlOrName) ? urlOrName.split('/').pop()! : urlOrName);

async function urlOf(client: SQSClient, q: string): Promise<string> {
  if (isUrl(q)) return q;
  try {
    return (await client.send(new GetQueueUrlCommand({ QueueName: q }))).QueueUrl!;
  } catch (err) {
    throw new Error(`queue ${q} not found (${(err as Error).name})`, { cause: err });
  }
}

async function arnOf(client: SQSClient, url: string): Promise<string> {
  const r = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return r.Attributes!.QueueArn!;
}

/** The queue whose redrive policy targets the DLQ; else the DLQ's name without `-dlq`. */
export async function sourceOf(client: SQSClient, dlqUrl: string): Promise<string> {
  try {
    const r = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    if (r.queueUrls?.length === 1) return r.queueUrls[0]!;
    if ((r.queueUrls?.length ?? 0) > 1) throw new Error(`several queues dead-letter into ${nameOf(dlqUrl)}: name one with --to`);
  } catch (err) {
    if ((err as Error).message.includes('--to')) throw err;
    // Not supported by the emulator: fall back to the naming convention.
  }
  const name = nameOf(dlqUrl);
  const source = name.replace(/-dlq(\.fifo)?$/, '$1');
  if (source === name) throw new Error(`cannot tell the source queue of ${name}: name it with --to`);
  return urlOf(client, source);
}

/** User attributes only, in the shape SendMessage accepts. */
function attributesOf(m: Message): Record<string, MessageAttributeValue> | undefined {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    out[k] = { DataType: v.DataType!, ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}), ...(v.BinaryValue !== undefined ? { BinaryValue: v.BinaryValue } : {}) };
  }
  return Object.keys(out).length ? out : undefined;
}

const usesEndpointOverride = () => Boolean(process.env.AWS_ENDPOINT_URL ?? process.env.AWS_ENDPOINT_URL_SQS);

export async function redrive(opts: RedriveOptions): Promise<RedriveResult> {
  const client = opts.client ?? sqs();
  const log = opts.log ?? (() => undefined);
  const dlqUrl = await urlOf(client, opts.dlq);
  const sourceUrl = opts.to ? await urlOf(client, opts.to) : await sourceOf(client, dlqUrl);
  if (sourceUrl === dlqUrl) throw new Error('source and dead-letter queue are the same');
  const fifo = dlqUrl.endsWith('.fifo');
  if (fifo !== sourceUrl.endsWith('.fifo')) throw new Error('cannot move between a FIFO and a standard queue');
  const result: RedriveResult = { dlq: nameOf(dlqUrl), source: nameOf(sourceUrl), method: 'copy', moved: 0 };

  const moveTask = opts.moveTask ?? !usesEndpointOverride();
  if (moveTask && opts.max === undefined) {
    try {
      const [SourceArn, DestinationArn] = await Promise.all([arnOf(client, dlqUrl), arnOf(client, sourceUrl)]);
      const r = await client.send(new StartMessageMoveTaskCommand({ SourceArn, DestinationArn }));
      const n = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      log(`started a move task ${result.dlq} → ${result.source} (about ${n.Attributes?.ApproximateNumberOfMessages ?? '?'} messages)`);
      return { ...result, method: 'move-task', moved: Number(n.Attributes?.ApproximateNumberOfMessages ?? 0), ...(r.TaskHandle ? { taskHandle: r.TaskHandle } : {}) };
    } catch (err) {
      log(`move task unavailable (${(err as Error).name}); copying instead`);
    }
  }

  const max = opts.max ?? Infinity;
  let idle = 0;
  while (result.moved < max && idle < 2) {
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({
      QueueUrl: dlqUrl,
      MaxNumberOfMessages: Math.min(10, max - result.moved),
      WaitTimeSeconds: 1,
      // Long enough to send and delete; a crash in between only makes them reappear in the DLQ.
      VisibilityTimeout: 60,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }));
    if (!Messages.length) {
      idle++;
      continue;
    }
    idle = 0;
    const sent = await client.send(new SendMessageBatchCommand({
      QueueUrl: sourceUrl,
      Entries: Messages.map((m, i) => {
        const attrs = attributesOf(m);
        return {
          Id: String(i),
          MessageBody: m.Body ?? '',
          ...(attrs ? { MessageAttributes: attrs } : {}),
          // A fresh, stable dedup id: the original may still be inside the 5-minute dedup window.
          ...(fifo ? { MessageGroupId: m.Attributes?.MessageGroupId ?? 'redrive', MessageDeduplicationId: `redrive-${m.MessageId}` } : {}),
        };
      }),
    }));
    const ok = (sent.Successful ?? []).map((s) => Messages[Number(s.Id)]!);
    for (const f of sent.Failed ?? []) log(`could not send message ${Messages[Number(f.Id)]?.MessageId}: ${f.Message}`);
    if (ok.length) {
      await client.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: ok.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    result.moved += ok.length;
    if (sent.Failed?.length && !ok.length) throw new Error(`the source queue refused every message: ${sent.Failed[0]?.Message}`);
  }
  log(`moved ${result.moved} message(s) ${result.dlq} → ${result.source}`);
  return result;
}

export function registerRedrive(program: Command): void {
  program
    .command('redrive')
    .description('move messages from a dead-letter queue back into its source queue')
    .argument('<dlq>', 'dead-letter queue name or URL, e.g. panoptes-local-photos-report-dlq')
    .option('--to <queue>', 'target queue (default: the queue whose redrive policy names the DLQ, else the DLQ name without -dlq)')
    .option('--max <n>', 'move at most n messages', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error('--max must be a positive integer');
      return n;
    })
    .option('--endpoint <url>', 'SQS endpoint (e.g. the local fauxqs http://127.0.0.1:4566); default from AWS_ENDPOINT_URL')
    .addHelpText('after', '\nLocal stack: npm run panoptes -- redrive panoptes-local-photos-report-dlq --endpoint http://127.0.0.1:4566')
    .action(async (dlq: string, o: { to?: string; max?: number; endpoint?: string }) => {
      const client = o.endpoint
        ? new SQSClient({
          endpoint: o.endpoint,
          region: process.env.AWS_REGION ?? 'us-east-1',
          useQueueUrlAsEndpoint: false,
          credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test' },
        })
        : undefined;
      const r = await redrive({
        dlq,
        ...(o.to ? { to: o.to } : {}),
        ...(o.max ? { max: o.max } : {}),
        ...(client ? { client, moveTask: false } : {}),
        log: (l) => console.error(l),
      });
      console.log(JSON.stringify(r));
    });
}
