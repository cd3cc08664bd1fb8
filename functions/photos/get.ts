import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { notFound } from '../../shared/platform/errors.js';
import { presentRecord } from '../../shared/photos/records.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import * as api from '../../shared/api/photos.js';
import { pipelineStats, windowOf, withinMs } from '../../shared/photos/stats.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE');
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);

/** GET /photos/{id} → the record. */
export const handler = httpHandler(api.get, async ({ path }) => {
  const r = await repo.get(path.id);
  if (!r) throw notFound(`photo ${path.id} not found`);
  return json(200, presentRecord(r));
});

/**
 * GET /photos?pending=download|analyse|report&within=60m → ids still waiting at that stage with a
 * callTime in the window (the seed's "not yet downloaded/analysed/reported in the last N minutes").
 */
export const pending = httpHandler(api.pending, async ({ query }) => {
  const { from, to } = windowOf(withinMs(query.within)!, Date.now());
  const ids: number[] = [];
  for await (const p of repo.pending(query.pending, from, to)) {
    ids.push(p.id);
    if (ids.length >= query.limit) break;
  }
  return json(200, { stage: query.pending, within: query.within, count: ids.length, ids });
});

/** GET /photos/stats?within=24h → of the photos with callTime in the window: waiting per stage, done, failed. */
export const stats = httpHandler(api.stats, async ({ query }) => json(200, await pipelineStats(repo, query.within, Date.now())));
