import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { badRequest } from '../../shared/platform/errors.js';
import { aggregate, resolveRange } from '../../shared/photos/counts.js';
import * as api from '../../shared/api/photos.js';
import { PhotoRepo } from '../../shared/photos/repo.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE');
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);

/** GET /cameras/{cameraId}/counts?from=&to=&bucket=5m → people per bucket (avg, max) over analysed photos. */
export const handler = httpHandler(api.counts, async ({ path, query }) => {
  const range = resolveRange(query, Date.now());
  if ('error' in range) throw badRequest(`invalid ${range.path}: ${range.error}`, [{ path: range.path, message: range.error }]);
  // region=true: photos counted with a countRegion only (the sparse region index), their numInRegion.
  const samples = query.region
    ? (await repo.regionCounts(path.cameraId, range.from, range.to)).map((s) => ({ callTime: s.callTime, numOfPeople: s.numInRegion }))
    : await repo.counts(path.cameraId, range.from, range.to);
  return json(200, {
    cameraId: path.cameraId,
    cameraCode: path.cameraId,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    bucket: range.bucket,
    region: query.region,
    photos: samples.length,
    series: aggregate(samples, range.bucketMs),
  });
});
