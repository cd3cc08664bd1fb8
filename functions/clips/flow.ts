import * as api from '../../shared/api/flow.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { badRequest, notFound } from '../../shared/platform/errors.js';
import { bucketStarts, flowRepo, type SeriesQuery } from '../../shared/clips/flow.js';
import { camerasRepo } from '../../shared/clips/registry/store.js';
import { loadClipsSettings } from '../../shared/clips/settings.js';

/** GET /cameras/{id}/flow and /occupancy: the analytics series of one rule, in the camera's time zone. */
const cfg = loadClipsSettings('CLIPS_CAMERAS_TABLE', 'CLIPS_FLOW_TABLE', 'CLIPS_FLOW_RETENTION_DAYS');
const cameras = camerasRepo(cfg);
const flows = flowRepo(cfg);

const DAY_MS = 86_400_000;
const MAX_RANGE_MS = 31 * DAY_MS;
const MAX_BUCKETS = 2000;

async function seriesQuery(path: { cameraId: string }, query: { rule: string; from?: number; to?: number; bucket: SeriesQuery['bucket'] }): Promise<SeriesQuery> {
  const toMs = query.to ?? Date.now();
  const fromMs = query.from ?? toMs - DAY_MS;
  if (fromMs >= toMs) throw badRequest('invalid query.from: must be before to', [{ path: 'query.from', message: 'must be before to' }]);
  if (toMs - fromMs > MAX_RANGE_MS) throw badRequest('invalid query.from: the range is longer than 31 days', [{ path: 'query.from', message: 'range longer than 31 days' }]);
  const cam = await cameras.getCamera(path.cameraId);
  if (!cam) throw notFound(`camera ${path.cameraId} is not registered`);
  const q = { cameraId: path.cameraId, ruleId: query.rule, fromMs, toMs, bucket: query.bucket, timeZone: cam.timezone ?? 'UTC' };
  if (bucketStarts(fromMs, toMs, q.bucket, q.timeZone).length > MAX_BUCKETS) {
    throw badRequest(`invalid query.bucket: more than ${MAX_BUCKETS} buckets in the range`, [{ path: 'query.bucket', message: `more than ${MAX_BUCKETS} buckets` }]);
  }
  return q;
}

const head = (q: SeriesQuery) => ({
  cameraId: q.cameraId, rule: q.ruleId, bucket: q.bucket, timezone: q.timeZone,
  from: new Date(q.fromMs).toISOString(), to: new Date(q.toMs).toISOString(),
});

export const flow = httpHandler(api.flow, async ({ path, query }) => {
  const q = await seriesQuery(path, query);
  return json(200, { ...head(q), series: await flows.flowSeries(q) });
});

export const occupancy = httpHandler(api.occupancy, async ({ path, query }) => {
  const q = await seriesQuery(path, query);
  return json(200, { ...head(q), series: await flows.occupancySeries(q) });
});
