import { GetObjectCommand } from '@aws-sdk/client-s3';
import type * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { alarmsRepo } from '../../shared/clips/alarms/store.js';
import { flowRepo } from '../../shared/clips/flow.js';
import { clipResultSchema, resultsMessageSchema, type ClipResult } from '../../shared/clips/messages.js';
import { camerasRepo } from '../../shared/clips/registry/store.js';
import { loadClipsSettings, REPLAY_SETTINGS, replayWindow } from '../../shared/clips/settings.js';
import { cameraStatesRepo, clipIndexRepo } from '../../shared/clips/store.js';
import { trackClip } from '../../shared/clips/track-clip.js';

/** Results FIFO consumer: one clip's frames through tracker and rules (shared/clips/track-clip.ts). */
const cfg = loadClipsSettings(
  'CLIPS_ARTIFACTS_BUCKET', 'CLIPS_CAMERAS_TABLE', 'CLIPS_CAMERA_STATE_TABLE', 'CLIPS_TABLE', 'CLIPS_RETENTION_DAYS',
  'CLIPS_ALARMS_TABLE', 'CLIPS_ALARM_RETENTION_DAYS', 'CLIPS_ALARMS_QUEUE', 'CLIPS_FLOW_TABLE', 'CLIPS_FLOW_RETENTION_DAYS', ...REPLAY_SETTINGS,
);
const deps = {
  states: cameraStatesRepo(cfg),
  cameras: camerasRepo(cfg),
  clips: clipIndexRepo(cfg),
  alarms: alarmsRepo(cfg),
  flow: flowRepo(cfg),
  alarmsQueue: cfg.CLIPS_ALARMS_QUEUE,
  window: replayWindow(cfg),
};

/** Results too big for a message are in S3 (the message holds a pointer). */
async function loadResult(msg: z.infer<typeof resultsMessageSchema>): Promise<ClipResult> {
  if (!('ref' in msg)) return msg;
  const obj = await s3().send(new GetObjectCommand({ Bucket: cfg.CLIPS_ARTIFACTS_BUCKET, Key: msg.ref.key }));
  return clipResultSchema.parse(JSON.parse(await obj.Body!.transformToString()));
}

export const handler = sqsHandler({ body: resultsMessageSchema, fifo: true }, async ({ body }) => trackClip(deps, await loadResult(body)));
