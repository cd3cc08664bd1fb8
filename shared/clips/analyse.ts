/**
 * One clip's frames through the tracker and the rules engine, from the camera's persisted state.
 * Pure: the consumer loads the state, calls this, writes alarms and then the new state.
 */
import { createTrackerState, updateTracker, type TrackerParams, type TrackerState } from '../tracking/tracker.js';
import { createRuleState, evaluateRules, type EngineContext, type RuleEngineState } from '../rules/engine.js';
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
  /** With a cooldown: the incidents folded into this one (their own keys). */
  members?: string[];
}

/** Crossings of one counting line in one minute (epoch ms of the minute's start, UTC). */
export interface FlowBucket {
  ruleId: string;
  minuteMs: number;
  in: number;
  out: number;
}

/** Occupancy of one polygon rule over the frames of one minute. */
export interface OccupancyBucket {
  ruleId: string;
  minuteMs: number;
  /** Sum of per-frame counts and the number of frames: avg = sum / frames. */
  sum: number;
  frames: number;
  max: number;
}

export const MINUTE_MS = 60_000;

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
  flow: FlowBucket[];
  occupancy: OccupancyBucket[];
}

export function analyseClip(
  state: CameraState,
  ruleSet: RuleSet,
  frames: readonly FrameResult[],
  trackerParams: Partial<TrackerParams> = {},
  ctx: EngineContext = {},
): ClipAnalysis {
  let tracker = state.tracker;
  let rules = state.rules;
  const incidents = new Map<string, Incident>();
  const tracks = new Map<number, TrackSummary>();
  const flow = new Map<string, FlowBucket>();
  const occupancy = new Map<string, OccupancyBucket>();
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
    const engineTracks = t.tracks.map((tr) => ({
      ...tr,
      ...(tr.detectionIndex !== null ? { score: frame.detections[tr.detectionIndex]!.score } : {}),
    }));
    const r = evaluateRules(ruleSet, rules, { tsMs: frame.tsMs, tracks: engineTracks }, ctx);
    rules = r.ruleState;
    const minuteMs = Math.floor(frame.tsMs / MINUTE_MS) * MINUTE_MS;
    for (const c of r.crossings) {
      const k = `${c.ruleId}\n${minuteMs}`;
      const b = flow.get(k) ?? { ruleId: c.ruleId, minuteMs, in: 0, out: 0 };
      b[c.direction]++;
      flow.set(k, b);
    }
    for (const o of r.occupancy) {
      const k = `${o.ruleId}\n${minuteMs}`;
      const b = occupancy.get(k) ?? { ruleId: o.ruleId, minuteMs, sum: 0, frames: 0, max: 0 };
      b.sum += o.count;
      b.frames++;
      b.max = Math.max(b.max, o.count);
      occupancy.set(k, b);
    }
    for (const v of r.violations) {
      const inc = incidents.get(v.incidentKey);
      if (inc) {
        inc.endedAt = Math.max(inc.endedAt, v.at);
        inc.trackIds = [...new Set([...inc.trackIds, ...v.trackIds])].sort((a, b) => a - b);
        if (v.memberKey && inc.members && !inc.members.includes(v.memberKey)) inc.members.push(v.memberKey);
      } else {
        incidents.set(v.incidentKey, {
          incidentKey: v.incidentKey,
          ruleId: v.ruleId,
          type: v.type,
          startedAt: v.startedAt,
          endedAt: v.at,
          trackIds: [...v.trackIds],
          ...(v.memberKey ? { members: [v.memberKey] } : {}),
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
    flow: [...flow.values()],
    occupancy: [...occupancy.values()],
  };
}
