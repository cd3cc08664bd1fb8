import { z } from 'zod';
import { httpHandler, json } from '../../shared/http/stack.js';
import { loadConfig } from '../../shared/config.js';
import { badRequest } from '../../shared/errors.js';
import { aggregate, countsQuery, resolveRange } from '../../shared/photos/counts.js';
import { CAMERA_CODE_RE } from '../../shared/photos/intake.js';
import { PhotoRepo } from '../../shared/photos/repo.js';

const cfg = loadConfig({ PHOTOS_TABLE: z.string().min(1) });
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);

const path = z.object({ cameraCode: z.string().regex(CAMERA_CODE_RE, 'cameraCode must be 1-64 of [A-Za-z0-9_-]') });

/** GET /cameras/{cameraCode}/counts?from=&to=&bucket=5m → people per bucket (avg, max) over analysed photos. */
export const handler = httpHandler({ auth: 'apiKey', path, query: countsQuery }, async ({ path, query }) => {
  const range = resolveRange(query, Date.now());
  if ('error' in range) throw badRequest(`invalid ${range.path}: ${range.error}`, [{ path: range.path, message: range.error }]);
  const samples = await repo.counts(path.cameraCode, range.from, range.to);
  return json(200, {
    cameraCode: path.cameraCode,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    bucket: range.bucket,
    photos: samples.length,
    series: aggregate(samples, range.bucketMs),
  });
});
