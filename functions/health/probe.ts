import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { loadConfig } from '../../shared/platform/config.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { objectKey } from '../../shared/platform/s3-event.js';

/**
 * Probe consumers: the smallest SQS and S3 consumers. They let tests and operators check that the
 * event sources work end to end (`seen/` objects are the evidence).
 */
const cfg = loadConfig({ PROBE_BUCKET: z.string().min(1) });
const probeBody = z.object({ id: z.string().min(1), fail: z.boolean().optional() });

export const onMessage = sqsHandler({ body: probeBody, backoff: { baseSeconds: 1, maxSeconds: 2 } }, async ({ body, receiveCount }) => {
  await s3().send(new PutObjectCommand({
    Bucket: cfg.PROBE_BUCKET,
    Key: `seen/sqs/${body.id}/${receiveCount}`,
    Body: JSON.stringify({ receiveCount, at: new Date().toISOString() }),
  }));
  if (body.fail) throw new Error(`probe ${body.id} asked to fail`);
});

export const onObject = async (event: S3Event): Promise<void> => {
  for (const r of event.Records) {
    const key = objectKey(r);
    await s3().send(new PutObjectCommand({
      Bucket: cfg.PROBE_BUCKET,
      Key: `seen/s3/${key}`,
      Body: JSON.stringify({ eventName: r.eventName, size: r.s3.object.size, bucket: r.s3.bucket.name }),
    }));
  }
};
