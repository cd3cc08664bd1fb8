import * as z from 'zod';
import { loadConfig } from '../../shared/platform/config.js';
import { logger } from '../../shared/platform/logger.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { alarmTaskSchema } from '../../shared/clips/messages.js';
import { webhookPayload, webhookUrl } from '../../shared/clips/alarms/model.js';
import { getAlarm, recordPushAttempt, updateAlarm } from '../../shared/clips/alarms/store.js';
import { mediaUrls } from '../../shared/clips/alarms/urls.js';
import { deliver } from '../../shared/clips/alarms/webhook.js';
import { healthWebhookPayload, isHealthAlarm } from '../../shared/clips/registry/health.js';

/**
 * Push queue consumer: POST the alarm to ALARM_WEBHOOK_URL (`{cameraId}` in it is replaced) with
 * Idempotency-Key = alarmId. Every attempt is recorded (alarm-pushes table); a failure is retried
 * with the SQS stack's backoff and lands in the DLQ after the queue's maxReceiveCount.
 */
const cfg = loadConfig({
  ARTIFACTS_BUCKET: z.string().min(1),
  ALARM_WEBHOOK_URL: z.string().default(''),
  PUSH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  PUSH_MAX_ATTEMPTS: z.coerce.number().int().positive().default(8),
  MEDIA_URL_TTL_SECONDS: z.coerce.number().int().positive().max(604_800).default(604_800),
});

export const handler = sqsHandler({
  body: alarmTaskSchema,
  attempts: {
    max: cfg.PUSH_MAX_ATTEMPTS,
    retrying: ({ body }, _err, attempt) => updateAlarm(body.alarmId, { pushStatus: 'retrying', pushAttempts: attempt }),
    giveUp: ({ body, receiveCount }) => updateAlarm(body.alarmId, { pushStatus: 'failed', pushAttempts: receiveCount }),
    then: 'dead-letter',
  },
}, async ({ body: { alarmId }, receiveCount, record }) => {
  const alarm = await getAlarm(alarmId);
  if (!alarm) {
    logger.warn('alarm not found (expired?)', { alarmId });
    return;
  }
  if (alarm.pushedAt !== undefined) return; // delivered by an earlier copy of this task
  const url = webhookUrl(cfg.ALARM_WEBHOOK_URL, alarm.cameraId);
  if (!url) {
    logger.warn('ALARM_WEBHOOK_URL is not set; alarm kept, not pushed', { alarmId });
    await updateAlarm(alarmId, { pushStatus: 'no-webhook' });
    return;
  }
  const urls = await mediaUrls(cfg.ARTIFACTS_BUCKET, alarm, cfg.MEDIA_URL_TTL_SECONDS);
  const at = Date.now();
  const result = await deliver(url, isHealthAlarm(alarm) ? healthWebhookPayload(alarm) : webhookPayload(alarm, urls), alarmId, cfg.PUSH_TIMEOUT_MS);
  await recordPushAttempt({
    alarmId,
    attemptId: `${String(at).padStart(13, '0')}#${record.messageId}#${receiveCount}`,
    attempt: receiveCount,
    at,
    url,
    ok: result.ok,
    ms: Math.round(result.ms),
    ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
    ...(result.error ? { error: result.error } : {}),
  });
  if (result.ok) {
    await updateAlarm(alarmId, { pushedAt: Date.now(), pushStatus: 'delivered', pushAttempts: receiveCount });
    logger.info('alarm pushed', { alarmId, attempt: receiveCount, httpStatus: result.httpStatus });
    return;
  }
  throw new Error(`webhook push of ${alarmId} failed: ${result.error}`);
});
