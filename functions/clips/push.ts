import { logger } from '../../shared/platform/logger.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { alarmTaskSchema } from '../../shared/clips/messages.js';
import { webhookPayload, webhookUrl } from '../../shared/clips/alarms/records.js';
import { alarmPushesRepo, alarmsRepo } from '../../shared/clips/alarms/store.js';
import { mediaUrls } from '../../shared/clips/alarms/urls.js';
import { deliver } from '../../shared/clips/alarms/webhook.js';
import { healthWebhookPayload, isHealthAlarm } from '../../shared/clips/registry/health.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';

/**
 * Push queue consumer: POST the alarm to CLIPS_ALARM_WEBHOOK_URL (`{cameraId}` in it is replaced) with
 * Idempotency-Key = alarmId. Every attempt is recorded (alarm-pushes table); a failure is retried
 * with the SQS stack's backoff and lands in the DLQ after the queue's maxReceiveCount.
 */
const cfg = loadClipsSettings(
  'CLIPS_ARTIFACTS_BUCKET', 'CLIPS_ALARM_WEBHOOK_URL', 'CLIPS_PUSH_TIMEOUT_MS', 'CLIPS_PUSH_MAX_ATTEMPTS', 'CLIPS_PUSH_MEDIA_URL_TTL_SECONDS',
  'CLIPS_ALARMS_TABLE', 'CLIPS_ALARM_PUSHES_TABLE', 'CLIPS_ALARM_RETENTION_DAYS',
);
const alarms = alarmsRepo(cfg);
const pushes = alarmPushesRepo(cfg);

export const handler = sqsHandler({
  body: alarmTaskSchema,
  attempts: {
    max: cfg.CLIPS_PUSH_MAX_ATTEMPTS,
    retrying: ({ body }, _err, attempt) => alarms.updateAlarm(body.alarmId, { pushStatus: 'retrying', pushAttempts: attempt }),
    giveUp: ({ body, receiveCount }) => alarms.updateAlarm(body.alarmId, { pushStatus: 'failed', pushAttempts: receiveCount }),
    then: 'dead-letter',
  },
}, async ({ body: { alarmId }, receiveCount, record }) => {
  const alarm = await alarms.getAlarm(alarmId);
  if (!alarm) {
    logger.warn('alarm not found (expired?)', { alarmId });
    return;
  }
  if (alarm.pushedAt !== undefined) return; // delivered by an earlier copy of this task
  const url = webhookUrl(cfg.CLIPS_ALARM_WEBHOOK_URL, alarm.cameraId);
  if (!url) {
    logger.warn('CLIPS_ALARM_WEBHOOK_URL is not set; alarm kept, not pushed', { alarmId });
    await alarms.updateAlarm(alarmId, { pushStatus: 'no-webhook' });
    return;
  }
  const urls = await mediaUrls(cfg.CLIPS_ARTIFACTS_BUCKET, alarm, cfg.CLIPS_PUSH_MEDIA_URL_TTL_SECONDS);
  const at = Date.now();
  const result = await deliver(url, isHealthAlarm(alarm) ? healthWebhookPayload(alarm) : webhookPayload(alarm, urls), alarmId, cfg.CLIPS_PUSH_TIMEOUT_MS);
  await pushes.recordPushAttempt({
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
    await alarms.updateAlarm(alarmId, { pushedAt: Date.now(), pushStatus: 'delivered', pushAttempts: receiveCount });
    logger.info('alarm pushed', { alarmId, attempt: receiveCount, httpStatus: result.httpStatus });
    return;
  }
  throw new Error(`webhook push of ${alarmId} failed: ${result.error}`);
});
