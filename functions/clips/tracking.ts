import { GetObjectCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { loadConfig } from '../../shared/platform/config.js';
import { logger } from '../../shared/platform/logger.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { analyseClip, createCameraState } from '../../shared/clips/analyse.js';
import { recordIncidents } from '../../shared/clips/incidents.js';
import { recordFlow } from '../../shared/clips/flow.js';
import { clipResultSchema, resultsMessageSchema, type ClipResult } from '../../shared/clips/messages.js';
import { getCameraState, putCameraState, recordIgnored, recordTracking } from '../../shared/clips/store.js';
import { parseRuleSet, type RuleSet } from '../../shared/rules/schema.js';
import { getCamera } from '../../shared/clips/registry/store.js';
import { replaySettings, replaySettingsShape } from '../../shared/clips/env.js';

/**
 * Results FIFO consumer (per camera, in order): tracker + rules over the clip's frames from the
 * camera's persisted state, alarms for the incidents, then the new state with a version condition.
 * On a version conflict (another consumer wrote meanwhile) it reloads and recomputes; frames the
 * other consumer already covered are then ignored by the tracker.
 */
const cfg = loadConfig({
  ARTIFACTS_BUCKET: z.string().min(1),
  ALARMS_QUEUE: z.string().min(1),
  FLOW_TABLE: z.string().min(1),
  ...replaySettingsShape,
});
const replay = replaySettings(cfg);
const MAX_CONFLICTS = 5;

async function loadResult(msg: z.infer<typeof resultsMessageSchema>): Promise<ClipResult> {
  if (!('ref' in msg)) return msg;
  const obj = await s3().send(new GetObjectCommand({ Bucket: cfg.ARTIFACTS_BUCKET, Key: msg.ref.key }));
  return clipResultSchema.parse(JSON.parse(await obj.Body!.transformToString()));
}

function rulesOf(stored: unknown): RuleSet {
  if (stored === undefined) return { rules: [] };
  const r = parseRuleSet(stored);
  if (r.ok) return r.value;
  // Stored rules were validated on PUT; this only happens if the schema got stricter since.
  logger.error('stored rules no longer valid; evaluating none', { details: r.details });
  return { rules: [] };
}

export const handler = sqsHandler({ body: resultsMessageSchema, fifo: true }, async ({ body }) => {
  const result = await loadResult(body);
  const { cameraId, startMs } = result;
  for (let attempt = 1; ; attempt++) {
    const [stored, camera] = await Promise.all([getCameraState(cameraId), getCamera(cameraId)]);
    const ruleSet = rulesOf(camera?.rules);
    const analysis = analyseClip(stored?.state ?? createCameraState(), ruleSet, result.frames, {}, { timeZone: camera?.timezone ?? 'UTC' });
    if (analysis.processedFrames === 0) {
      logger.info('clip not newer than the camera state: skipped', { cameraId, startMs, frames: result.frames.length });
      await recordIgnored(cameraId, startMs, { ignoredFrames: analysis.ignoredFrames, now: Date.now() });
      return;
    }
    const now = Date.now();
    // Alarms first: they are idempotent, so a conflict below only repeats them; the other order
    // could lose an alarm if we crashed between the two writes.
    const alarms = await recordIncidents(cameraId, analysis.incidents, ruleSet, { alarmsQueue: cfg.ALARMS_QUEUE, replay, now });
    // Counted once per clip whatever happens below (the buckets remember the clips they hold).
    await recordFlow(cameraId, startMs, analysis.flow, analysis.occupancy);
    if (await putCameraState(cameraId, analysis.state, stored?.version ?? 0, { lastClipStartMs: startMs, now })) {
      await recordTracking(cameraId, startMs, {
        tracks: analysis.tracks,
        processedFrames: analysis.processedFrames,
        ignoredFrames: analysis.ignoredFrames,
        incidents: analysis.incidents.length,
        now,
      });
      logger.info('clip tracked', { cameraId, startMs, tracks: analysis.tracks.length, incidents: analysis.incidents.length, newAlarms: alarms.created });
      return;
    }
    if (attempt >= MAX_CONFLICTS) throw new Error(`camera ${cameraId}: state kept changing under us (${attempt} conflicts)`);
    logger.warn('camera state changed meanwhile; recomputing', { cameraId, startMs, attempt });
  }
});
