/**
 * Tracking one clip's results (results FIFO, per camera, in order): tracker + rules over the frames from
 * the camera's persisted state, alarms for the incidents, flow buckets, then the new state with a version
 * condition. On a version conflict (another consumer wrote meanwhile) it reloads and recomputes; frames
 * the other consumer already covered are then ignored by the tracker.
 */
import { logger } from '../platform/logger.js';
import { parseRuleSet, type RuleSet } from '../rules/schema.js';
import type { ReplaySettings } from './alarms/records.js';
import type { AlarmsRepo } from './alarms/store.js';
import { analyseClip, createCameraState } from './analyse.js';
import type { FlowRepo } from './flow.js';
import { recordIncidents } from './incidents.js';
import type { ClipResult } from './messages.js';
import type { CamerasRepo } from './registry/store.js';
import type { CameraStatesRepo, ClipIndexRepo } from './store.js';

export interface TrackDeps {
  states: CameraStatesRepo;
  cameras: Pick<CamerasRepo, 'getCamera'>;
  clips: Pick<ClipIndexRepo, 'recordIgnored' | 'recordTracking'>;
  alarms: AlarmsRepo;
  flow: Pick<FlowRepo, 'recordFlow'>;
  alarmsQueue: string;
  window: ReplaySettings;
}

const MAX_CONFLICTS = 5;

function rulesOf(stored: unknown): RuleSet {
  if (stored === undefined) return { rules: [] };
  const r = parseRuleSet(stored);
  if (r.ok) return r.value;
  // Stored rules were validated on PUT; this only happens if the schema got stricter since.
  logger.error('stored rules no longer valid; evaluating none', { details: r.details });
  return { rules: [] };
}

export async function trackClip(d: TrackDeps, result: ClipResult): Promise<void> {
  const { cameraId, startMs } = result;
  for (let attempt = 1; ; attempt++) {
    const [stored, camera] = await Promise.all([d.states.getCameraState(cameraId), d.cameras.getCamera(cameraId)]);
    const ruleSet = rulesOf(camera?.rules);
    const analysis = analyseClip(stored?.state ?? createCameraState(), ruleSet, result.frames, {}, { timeZone: camera?.timezone ?? 'UTC' });
    if (analysis.processedFrames === 0) {
      logger.info('clip not newer than the camera state: skipped', { cameraId, startMs, frames: result.frames.length });
      await d.clips.recordIgnored(cameraId, startMs, { ignoredFrames: analysis.ignoredFrames, now: Date.now() });
      return;
    }
    const now = Date.now();
    // Alarms first: they are idempotent, so a conflict below only repeats them; the other order
    // could lose an alarm if we crashed between the two writes.
    const alarms = await recordIncidents(cameraId, analysis.incidents, ruleSet, { alarms: d.alarms, alarmsQueue: d.alarmsQueue, replay: d.window, now });
    // Counted once per clip whatever happens below (the buckets remember the clips they hold).
    await d.flow.recordFlow(cameraId, startMs, analysis.flow, analysis.occupancy);
    if (await d.states.putCameraState(cameraId, analysis.state, stored?.version ?? 0, { lastClipStartMs: startMs, now })) {
      await d.clips.recordTracking(cameraId, startMs, {
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
}
