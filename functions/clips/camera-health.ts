import { alarmsRepo } from '../../shared/clips/alarms/store.js';
import { sweepCameraHealth } from '../../shared/clips/registry/health-sweep.js';
import { agentsRepo, camerasRepo } from '../../shared/clips/registry/store.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';

/**
 * Scheduled (and invokable) camera health check (docs/clips.md "Camera health"): cameras whose clips
 * stopped for staleAfterSeconds (default 3 × CLIPS_CLIP_SECONDS) or whose agent died → camera.offline;
 * back (the sweep's fallback; normally the clip's dispatch does it) → camera.online. Both are alarms
 * pushed through the alarm push queue.
 */
const cfg = loadClipsSettings(
  'CLIPS_CLIP_SECONDS', 'CLIPS_PUSH_QUEUE', 'CLIPS_CAMERAS_TABLE', 'CLIPS_AGENTS_TABLE', 'CLIPS_AGENT_RETENTION_DAYS',
  'CLIPS_ALARMS_TABLE', 'CLIPS_ALARM_RETENTION_DAYS',
);
const deps = { cameras: camerasRepo(cfg), agents: agentsRepo(cfg), alarms: alarmsRepo(cfg), pushQueue: cfg.CLIPS_PUSH_QUEUE };

export const sweep = async () => sweepCameraHealth(deps, Date.now(), { clipSeconds: cfg.CLIPS_CLIP_SECONDS });
