import { forbidden, notFound } from '../../shared/platform/errors.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { inScope } from '../../shared/search/records.js';
import { removeImage } from '../../shared/search/pipeline.js';
import * as api from '../../shared/api/search.js';
import { loadSearchSettings, featuresRepo } from '../../shared/search/settings.js';
import { indexStore, logOnly } from '../../shared/search/index-store.js';

// Removals only append to the index log: no snapshot, so no S3 client in this bundle (issue 16).
const snapshots = logOnly;

const cfg = loadSearchSettings('SEARCH_FEATURES_TABLE', 'SEARCH_INDEX_TABLE', 'SEARCH_INDEX_BUCKET');
const repo = featuresRepo(cfg.SEARCH_FEATURES_TABLE);

/** DELETE /features/{imageKey+}: the image leaves the index (the object itself stays in the bucket). */
export const handler = httpHandler(api.remove, async ({ path, caller }) => {
  if (!inScope(path.imageKey, caller?.appId)) throw forbidden(`imageKey must be under images/${caller?.appId}/`);
  const r = await removeImage(repo, (model) => indexStore({ table: cfg.SEARCH_INDEX_TABLE, bucket: cfg.SEARCH_INDEX_BUCKET, model }, snapshots), path.imageKey);
  if (!r.found) throw notFound(`image ${path.imageKey} is not indexed`);
  return json(200, { imageKey: path.imageKey, removed: true, faces: r.faces });
});
