import { send } from '../../shared/platform/sqs/queues.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { alarmTaskSchema } from '../../shared/clips/messages.js';
import { runReplayTask } from '../../shared/clips/alarms/replay-task.js';
import { alarmsRepo } from '../../shared/clips/alarms/store.js';
import { loadClipsSettings, REPLAY_SETTINGS, replayWindow } from '../../shared/clips/settings.js';
import { clipIndexRepo } from '../../shared/clips/store.js';

/**
 * Alarms queue consumer: the alarm's replay step (shared/clips/alarms/replay-task.ts). While footage is
 * missing the task goes back on the queue with DelaySeconds and this delivery is acknowledged.
 */
const cfg = loadClipsSettings(
  'CLIPS_BUCKET', 'CLIPS_ARTIFACTS_BUCKET', 'CLIPS_TABLE', 'CLIPS_RETENTION_DAYS', 'CLIPS_ALARMS_TABLE', 'CLIPS_ALARM_RETENTION_DAYS',
  'CLIPS_ALARMS_QUEUE', 'CLIPS_PUSH_QUEUE', ...REPLAY_SETTINGS,
);
const deps = {
  alarms: alarmsRepo(cfg),
  clips: clipIndexRepo(cfg),
  clipsBucket: cfg.CLIPS_BUCKET,
  artifactsBucket: cfg.CLIPS_ARTIFACTS_BUCKET,
  pushQueue: cfg.CLIPS_PUSH_QUEUE,
  window: replayWindow(cfg),
};

export const handler = sqsHandler({ body: alarmTaskSchema }, async ({ body: { alarmId } }) => {
  const r = await runReplayTask(deps, alarmId);
  if (r.outcome === 'wait') await send(cfg.CLIPS_ALARMS_QUEUE, { body: { alarmId }, delaySeconds: r.delaySeconds });
});
