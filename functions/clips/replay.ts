import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { loadConfig } from '../../shared/platform/config.js';
import { logger } from '../../shared/platform/logger.js';
import { isPermanentMediaError } from '../../shared/video/index.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { replayKey, snapshotKey } from '../../shared/clips/keys.js';
import { alarmTaskSchema } from '../../shared/clips/messages.js';
import { listClips } from '../../shared/clips/store.js';
import { decideReplay } from '../../shared/clips/alarms/model.js';
import { buildAlarmMedia } from '../../shared/clips/alarms/replay.js';
import { getAlarm, markPushQueued, updateAlarm } from '../../shared/clips/alarms/store.js';
import { replaySettings, replaySettingsShape } from '../../shared/clips/env.js';
import { isHealthAlarm } from '../../shared/clips/registry/health.js';

/**
 * Alarms queue consumer: once every clip covering [start − 15 s, start + 15 s] exists, cut and join
 * them into the replay, write it (and a snapshot) to S3, then hand the alarm to the push queue.
 * Until then the task is put back on the queue with DelaySeconds and this delivery acknowledged:
 * waiting for footage is expected, and must not use up receive counts meant for real failures.
 * Past the bound (REPLAY_WAIT_SECONDS after the window end or the alarm's creation, whichever is
 * later) it is built from what exists and pushed with replayComplete: false.
 */
const cfg = loadConfig({
  CLIPS_BUCKET: z.string().min(1),
  ARTIFACTS_BUCKET: z.string().min(1),
  ALARMS_QUEUE: z.string().min(1),
  PUSH_QUEUE: z.string().min(1),
  ...replaySettingsShape,
});
const settings = replaySettings(cfg);

export const handler = sqsHandler({ body: alarmTaskSchema }, async ({ body: { alarmId } }) => {
  const alarm = await getAlarm(alarmId);
  if (!alarm) {
    logger.warn('alarm not found (expired?)', { alarmId });
    return;
  }
  if (alarm.pushQueuedAt !== undefined) return; // done before (duplicate delivery)
  // Camera health alarms have no footage: never a replay (they go to the push queue directly).
  if (alarm.replayBuiltAt === undefined && !isHealthAlarm(alarm)) {
    const now = Date.now();
    // Clips inference found undecodable would only break the replay: they count as missing.
    const clips = (await listClips(alarm.cameraId, alarm.startedAt - settings.beforeMs - 3 * settings.clipMs, alarm.startedAt + settings.afterMs))
      .filter((c) => !c.error);
    const decision = decideReplay(alarm, clips, now, settings);
    if (decision.action === 'wait') {
      await send(cfg.ALARMS_QUEUE, { body: { alarmId }, delaySeconds: decision.delaySeconds });
      logger.info('replay waits for clips', { alarmId, gaps: decision.coverage.gaps, delaySeconds: decision.delaySeconds });
      return;
    }
    let keys: { replayKey?: string; snapshotKey?: string } = {};
    let complete = decision.complete;
    try {
      const media = await buildAlarmMedia(decision.coverage.used, {
        bucket: cfg.CLIPS_BUCKET, fromMs: decision.fromMs, toMs: decision.toMs, startedAt: alarm.startedAt,
      });
      if (media.replay) {
        keys.replayKey = replayKey(alarm.cameraId, alarmId);
        await s3().send(new PutObjectCommand({ Bucket: cfg.ARTIFACTS_BUCKET, Key: keys.replayKey, Body: media.replay, ContentType: 'video/mp4' }));
      }
      if (media.snapshot) {
        keys.snapshotKey = snapshotKey(alarm.cameraId, alarmId);
        await s3().send(new PutObjectCommand({ Bucket: cfg.ARTIFACTS_BUCKET, Key: keys.snapshotKey, Body: media.snapshot, ContentType: 'image/jpeg' }));
      }
    } catch (err) {
      // A clip ffmpeg cannot read will not get better: push without (part of) the replay.
      if (!isPermanentMediaError(err)) throw err;
      logger.error('replay could not be built; pushing without it', { alarmId, error: (err as Error).message });
      keys = {};
      complete = false;
    }
    await updateAlarm(alarmId, {
      ...keys,
      replayComplete: complete && keys.replayKey !== undefined,
      replayFromMs: decision.fromMs,
      replayToMs: decision.toMs,
      replayBuiltAt: Date.now(),
    });
    logger.info('replay written', { alarmId, complete, clips: decision.coverage.used.length, gaps: decision.coverage.gaps });
  }
  // Send, then mark: a crash in between only sends the push task twice, and the push consumer
  // skips an alarm that was delivered (the webhook also gets the same Idempotency-Key).
  await send(cfg.PUSH_QUEUE, { body: { alarmId } });
  await markPushQueued(alarmId, Date.now());
});
