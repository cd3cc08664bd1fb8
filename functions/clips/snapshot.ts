import { iso } from '../../shared/clips/api.js';
import { snapshotBucketVariable, type SnapshotFields } from '../../shared/clips/snapshot.js';
import { notFound } from '../../shared/platform/errors.js';
import { presignGet } from '../../shared/platform/presign.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import * as api from '../../shared/api/clips.js';
import { camerasRepo } from '../../shared/clips/registry/store.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';
import type { CameraItem } from '../../shared/clips/registry/liveness.js';

// Its own file: the only camera endpoint that needs S3, so the other camera functions' bundles
// (functions/clips/cameras.ts) carry no S3 client (issue 16's import time).

/** GET /cameras/{id}/snapshot: the latest frame the pipeline wrote (shared/clips/snapshot.ts). */
const cfg = loadClipsSettings('CLIPS_CAMERAS_TABLE', 'CLIPS_ARTIFACTS_BUCKET', 'CLIPS_BUCKET');
const cameras = camerasRepo(cfg);

export const handler = httpHandler(api.snapshot, async ({ path, query }) => {
  const cam = (await cameras.getCamera(path.cameraId)) as (CameraItem & SnapshotFields) | null;
  if (!cam?.snapshotKey) throw notFound(`camera ${path.cameraId} has no snapshot yet`);
  // Short-lived and fresh on every call: the key never changes, the frame behind it does.
  const url = await presignGet(cfg[snapshotBucketVariable(cam.snapshotKey)], cam.snapshotKey, { expiresIn: 300 });
  if (query.redirect === 'false') {
    return json(200, { cameraId: cam.cameraId, url, clipStartAt: iso(cam.snapshotStartMs), writtenAt: iso(cam.snapshotAt) });
  }
  return { statusCode: 302, headers: { location: url, 'cache-control': 'no-store' } };
});
