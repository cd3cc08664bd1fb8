/**
 * The replay step of an alarm (alarms queue): once every clip covering [start − before, start + after]
 * exists, cut and join them into the replay, write it (and a snapshot) to S3, then hand the alarm to
 * the push queue. Until then it answers `wait` with a delay: waiting for footage is expected and must
 * not use up receive counts meant for real failures. Past the bound (`waitMs` after the window end or
 * the alarm's creation, whichever is later) it is built from what exists and pushed with
 * replayComplete: false.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../../platform/aws.js';
import { logger } from '../../platform/logger.js';
import { send } from '../../platform/sqs/queues.js';
import { isPermanentMediaError } from '../../video/index.js';
import { replayKey, snapshotKey } from '../keys.js';
import { isHealthAlarm } from '../registry/health.js';
import type { ClipIndexRepo } from '../store.js';
import { decideReplay, type ReplaySettings } from './records.js';
import { buildAlarmMedia } from './replay.js';
import type { AlarmsRepo } from './store.js';

export interface ReplayTaskDeps {
  alarms: AlarmsRepo;
  clips: Pick<ClipIndexRepo, 'listClips'>;
  clipsBucket: string;
  artifactsBucket: string;
  pushQueue: string;
  window: ReplaySettings;
}

export type ReplayTaskOutcome =
  | { outcome: 'gone' | 'queued-before' | 'queued' }
  | { outcome: 'wait'; delaySeconds: number };

export async function runReplayTask(d: ReplayTaskDeps, alarmId: string): Promise<ReplayTaskOutcome> {
  const alarm = await d.alarms.getAlarm(alarmId);
  if (!alarm) {
    logger.warn('alarm not found (expired?)', { alarmId });
    return { outcome: 'gone' };
  }
  if (alarm.pushQueuedAt !== undefined) return { outcome: 'queued-before' }; // duplicate delivery
  // Camera health alarms have no footage: never a replay (they go to the push queue directly).
  if (alarm.replayBuiltAt === undefined && !isHealthAlarm(alarm)) {
    const w = d.window;
    // Clips inference found undecodable would only break the replay: they count as missing.
    const clips = (await d.clips.listClips(alarm.cameraId, alarm.startedAt - w.beforeMs - 3 * w.clipMs, alarm.startedAt + w.afterMs))
      .filter((c) => !c.error);
    const decision = decideReplay(alarm, clips, Date.now(), w);
    if (decision.action === 'wait') {
      logger.info('replay waits for clips', { alarmId, gaps: decision.coverage.gaps, delaySeconds: decision.delaySeconds });
      return { outcome: 'wait', delaySeconds: decision.delaySeconds };
    }
    let keys: { replayKey?: string; snapshotKey?: string } = {};
    let complete = decision.complete;
    try {
      const media = await buildAlarmMedia(decision.coverage.used, {
        bucket: d.clipsBucket, fromMs: decision.fromMs, toMs: decision.toMs, startedAt: alarm.startedAt,
      });
      if (media.replay) {
        keys.replayKey = replayKey(alarm.cameraId, alarmId);
        await s3().send(new PutObjectCommand({ Bucket: d.artifactsBucket, Key: keys.replayKey, Body: media.replay, ContentType: 'video/mp4' }));
      }
      if (media.snapshot) {
        keys.snapshotKey = snapshotKey(alarm.cameraId, alarmId);
        await s3().send(new PutObjectCommand({ Bucket: d.artifactsBucket, Key: keys.snapshotKey, Body: media.snapshot, ContentType: 'image/jpeg' }));
      }
    } catch (err) {
      // A clip ffmpeg cannot read will not get better: push without (part of) the replay.
      if (!isPermanentMediaError(err)) throw err;
      logger.error('replay could not be built; pushing without it', { alarmId, error: (err as Error).message });
      keys = {};
      complete = false;
    }
    await d.alarms.updateAlarm(alarmId, {
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
  await send(d.pushQueue, { body: { alarmId } });
  await d.alarms.markPushQueued(alarmId, Date.now());
  return { outcome: 'queued' };
}
