import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { s3 } from '../../shared/platform/aws.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { logger } from '../../shared/platform/logger.js';
import { LiveIndex } from '../../shared/search/live-index.js';
import { findSimilar, type FindSimilarDeps } from '../../shared/search/find-similar.js';
import * as api from '../../shared/api/search.js';
import { checkpointMessage, loadSearchSettings, featuresRepo } from '../../shared/search/settings.js';
import { indexStore } from '../../shared/search/index-store.js';
import { s3Snapshots } from '../../shared/search/snapshots.js';
import { DIMENSION, MODEL_ID, modelState, warmModel } from '../../shared/search/vision.js';
import { send } from '../../shared/platform/sqs/queues.js';

const snapshots = s3Snapshots(s3());

const cfg = loadSearchSettings('SEARCH_IMAGES_BUCKET', 'SEARCH_FEATURES_TABLE', 'SEARCH_INDEX_TABLE', 'SEARCH_INDEX_BUCKET', 'SEARCH_CHECKPOINT_QUEUE', 'SEARCH_IMAGE_MAX_BYTES', 'SEARCH_CHECKPOINT_AFTER', 'SEARCH_INDEX_KIND');
const repo = featuresRepo(cfg.SEARCH_FEATURES_TABLE);
const live = new LiveIndex(indexStore({ table: cfg.SEARCH_INDEX_TABLE, bucket: cfg.SEARCH_INDEX_BUCKET, model: MODEL_ID, dimension: DIMENSION }, snapshots), {
  dimension: DIMENSION,
  kind: cfg.SEARCH_INDEX_KIND,
  checkpointAfter: cfg.SEARCH_CHECKPOINT_AFTER,
  onLongReplay: (_n, version) => void send(cfg.SEARCH_CHECKPOINT_QUEUE, checkpointMessage(MODEL_ID, DIMENSION, version, cfg.SEARCH_CHECKPOINT_AFTER))
    .catch((err: unknown) => logger.warn('could not request a checkpoint', { error: (err as Error).message })),
  onError: (err) => logger.warn('index reload failed (the current index stays in use)', { error: err.message }),
  onRejected: (rejected) => logger.error('index log entries could not be applied', { count: rejected.length, first: rejected[0]?.error.message }),
});
void warmModel();
// Load the index with the container too; a failure here is retried by the first request.
void live.current().catch((err: unknown) => logger.warn('index not loaded at cold start', { error: (err as Error).message }));

const deps: FindSimilarDeps = { s3: s3(), features: repo, live, images: { bucket: cfg.SEARCH_IMAGES_BUCKET, maxBytes: cfg.SEARCH_IMAGE_MAX_BYTES } };

/** POST /search {imageKey | imageBase64, k ≤ 100, minScore?} → each query face's best matches. */
const search = httpHandler(api.search, async ({ body, caller }) => json(200, await findSimilar(deps, body, caller?.appId)));

/** GET /features/health: model loaded? index loaded, its size and version. Warms both (bounded wait). */
const health = httpHandler(api.health, async () => {
  const wait = (p: Promise<unknown>) => Promise.race([p.then(() => undefined, (err: unknown) => (err as Error).message), new Promise<string>((r) => setTimeout(() => r('still loading'), 20_000).unref())]);
  const [, indexError] = await Promise.all([wait(warmModel()), wait(live.current())]);
  const model = modelState();
  const st = live.state();
  const ok = model.loaded && !indexError;
  return json(ok ? 200 : 503, {
    status: ok ? 'ok' : 'degraded',
    model,
    index: st
      ? { loaded: true, kind: st.kind, size: st.size, version: st.version, snapshotVersion: st.snapshotVersion, replayed: st.replayed, openMs: Math.round(st.openMs) }
      : { loaded: false, ...(indexError ? { error: indexError } : {}) },
  });
});

/** One function for both routes: they share the container's model and in-memory index. */
export const handler = (event: APIGatewayProxyEventV2, context: Context) =>
  event.requestContext?.http?.method === 'GET' ? health(event, context) : search(event, context);
