/**
 * One clip's frames through the tracker and the rules engine, from the camera's persisted state.
 * Pure: the consumer loads the state, calls this, writes alarms and then the new state.
 */
import { createTrackerState, updateTracker, type TrackerParams, type TrackerState } from '../tracking/tracker.js';
import { createRuleState, evaluateRules, type RuleEngineState } from '../rules/engine.js';
import type { RuleSet, RuleType } from '../rules/schema.js';
import type { FrameResult } from './messages.js';

export interface CameraState {
  tracker: TrackerState;
  rules: RuleEngineState;
}

export const createCameraState = (): CameraState => ({ tracker: createTrackerState(), rules: createRuleState() });

/** Violations of one incident folded over the clip's frames. */
export interface Incident {
  incidentKey: string;
  ruleId: string;
  type: RuleType;
  startedAt: number;
  /** Last frame of the clip in which the incident was still in violation. */
  endedAt: number;
  trackIds: number[];
}

export interface TrackSummary {
  trackId: number;
  firstTsMs: number;
  lastTsMs: number;
  /** Frames of this clip in which the track was matched to a detection. */
  frames: number;
}

export interface ClipAnalysis {
  state: CameraState;
  incidents: Incident[];
  /** Confirmed tracks seen (matched) in this clip. */
  tracks: TrackSummary[];
  processedFrames: number;
  /** Frames not newer than the camera's last processed frame (duplicate or late clip). */
  ignoredFrames: number;
}

export function analyseClip(
  state: CameraState,
  ruleSet: RuleSet,
  frames: readonly FrameResult[],
  trackerParams: Partial<TrackerParams> = {},
): ClipAnalysis {
  let tracker = state.tracker;
  let rules = state.rules;
  const incidents = new Map<string, Incident>();
  const tracks = new Map<number, TrackSummary>();
  let processed = 0;
  let ignored = 0;
  for (const frame of [...frames].sort((a, b) => a.tsMs - b.tsMs)) {
    const t = updateTracker(tracker, frame, trackerParams);
    if (t.ignored) {
      ignored++;
      continue;
    }
    processed++;
    tracker = t.state;
    for (const tr of t.tracks) {
      if (!tr.confirmed || !tr.matched) continue;
      const s = tracks.get(tr.trackId);
      if (s) {
        s.lastTsMs = frame.tsMs;
        s.frames++;
      } else tracks.set(tr.trackId, { trackId: tr.trackId, firstTsMs: frame.tsMs, lastTsMs: frame.tsMs, frames: 1 });
    }
    // The engine needs the tracker's full output (coasting tracks included) to tell gone from missed.
    const r = evaluateRules(ruleSet, rules, { tsMs: frame.tsMs, tracks: t.tracks });
    rules = r.ruleState;
    for (const v of r.violations) {
      const inc = incidents.get(v.incidentKey);
      if (inc) {
        inc.endedAt = Math.max(inc.endedAt, v.at);
        inc.trackIds = [...new Set([...inc.trackIds, ...v.trackIds])].sort((a, b) => a - b);
      } else {
        incidents.set(v.incidentKey, {
          incidentKey: v.incidentKey,
          ruleId: v.ruleId,
          type: v.type,
          startedAt: v.startedAt,
          endedAt: v.at,
          trackIds: [...v.trackIds],
        });
      }
    }
  }
  return {
    state: { tracker, rules },
    incidents: [...incidents.values()].sort((a, b) => a.startedAt - b.startedAt || a.incidentKey.localeCompare(b.incidentKey)),
    tracks: [...tracks.values()].sort((a, b) => a.trackId - b.trackId),
    processedFrames: processed,
    ignoredFrames: ignored,
  };
}
