import * as z from 'zod';
import { loadConfig } from '../../shared/platform/config.js';
import { sweepCameraHealth } from '../../shared/clips/registry/health-sweep.js';

/**
 * Scheduled (and invokable) camera health check (docs/clips.md "Camera health"): cameras whose clips
 * stopped for staleAfterSeconds (default 3 × CLIP_SECONDS) or whose agent died → camera.offline;
 * back (the sweep's fallback; normally the clip's dispatch does it) → camera.online. Both are alarms
 * pushed through the alarm push queue.
 */
const cfg = loadConfig({
  CLIP_SECONDS: z.coerce.number().positive().default(5),
  PUSH_QUEUE: z.string().min(1),
});

export const sweep = async () => sweepCameraHealth(Date.now(), { clipSeconds: cfg.CLIP_SECONDS, pushQueue: cfg.PUSH_QUEUE });
