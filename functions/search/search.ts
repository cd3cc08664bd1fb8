import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../../shared/platform/aws.js';
import { forbidden } from '../../shared/platform/errors.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { logger } from '../../shared/platform/logger.js';
import { LiveIndex } from '../../shared/search/live-index.js';
import { decodeEmbeddings, inScope, oversample, selectMatches, type FaceMeta } from '../../shared/search/records.js';
import { ImageProblem } from '../../shared/search/pipeline.js';
import * as api from '../../shared/api/search.js';
import { checkpointMessage, loadSearchSettings, featuresRepo } from '../../shared/search/settings.js';
import { indexStore } from '../../shared/search/index-store.js';
import { s3Snapshots } from '../../shared/search/snapshots.js';
import { fromBase64, fromBucket, headImage, unprocessable } from '../../shared/search/source.js';
import { DIMENSION, MODEL_ID, extractFaces, modelState, warmModel } from '../../shared/search/vision.js';
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

interface QueryFace {
  box: FaceMeta['box'];
  score: number;
  embedding: ArrayLike<number>;
}

/** The query's faces: stored ones when the key is indexed at its current content, else the model's. */
async function queryFaces(body: { imageKey?: string; imageBase64?: string }): Promise<{ faces: QueryFace[]; source: 'index' | 'model'; ms: number }> {
  if (body.imageKey) {
    const rec = await repo.get(body.imageKey, MODEL_ID);
    if (rec?.status === 'indexed' && rec.embeddings) {
      const current = await headImage(s3(), cfg.SEARCH_IMAGES_BUCKET, body.imageKey).catch((err: unknown) => {
        if (err instanceof ImageProblem) return undefined;
        throw err;
      });
      if (current?.etag === rec.etag) {
        const vectors = decodeEmbeddings(rec.embeddings, DIMENSION);
        return { faces: (rec.faces ?? []).map((f, i) => ({ ...f, embedding: vectors[i]! })), source: 'index', ms: 0 };
      }
    }
  }
  const image = body.imageKey
    ? await fromBucket(s3(), cfg.SEARCH_IMAGES_BUCKET, body.imageKey, cfg.SEARCH_IMAGE_MAX_BYTES)
    : fromBase64(body.imageBase64!, cfg.SEARCH_IMAGE_MAX_BYTES);
  try {
    const r = await extractFaces(image.bytes);
    return { faces: r.faces, source: 'model', ms: r.ms };
  } catch (err) {
    if (err instanceof ImageProblem) throw unprocessable(`not an image: ${err.reason.replace(/^not_an_image: /, '')}`, 'NotAnImage');
    throw err;
  }
}

/**
 * POST /search {imageKey | imageBase64, k ≤ 100, minScore?} → the query's faces, each with its best
 * matches in the index (other images only, when searching by key), best first.
 */
const search = httpHandler(api.search, async ({ body, caller }) => {
  const t0 = performance.now();
  const appId = caller?.appId;
  if (body.imageKey && !inScope(body.imageKey, appId)) throw forbidden(`imageKey must be under images/${appId}/`);
  const [query, index] = await Promise.all([queryFaces(body), live.current()]);
  const perFace = query.faces.map((f) => {
    const ask = oversample(body.k, { ownFaces: query.faces.length, scoped: Boolean(appId), size: index.size });
    const hits = index.search(f.embedding, ask, body.minScore !== undefined ? { minScore: body.minScore } : {});
    return selectMatches(hits, { k: body.k, ...(body.imageKey ? { excludeImage: body.imageKey } : {}), ...(appId ? { appId } : {}), ...(body.minScore !== undefined ? { minScore: body.minScore } : {}) });
  });
  // Boxes live in the features records; a hit whose record went away meanwhile is dropped.
  const records = await repo.facesOf(perFace.flat().map((m) => m.imageKey), MODEL_ID);
  // A short-lived GET URL per matched image, so a browser (the console) can show and link it.
  const urls = new Map(await Promise.all([...new Set(perFace.flat().map((m) => m.imageKey))].map(async (key) =>
    [key, await getSignedUrl(s3(), new GetObjectCommand({ Bucket: cfg.SEARCH_IMAGES_BUCKET, Key: key }), { expiresIn: 900 })] as const)));
  const faces = query.faces.map((f, i) => ({
    box: f.box,
    score: f.score,
    matches: perFace[i]!.flatMap((m) => {
      const box = records.get(m.imageKey)?.faces?.[m.faceIndex]?.box;
      return box ? [{ imageKey: m.imageKey, faceIndex: m.faceIndex, score: m.score, box, url: urls.get(m.imageKey)! }] : [];
    }),
  }));
  const st = live.state();
  return json(200, {
    faces,
    model: MODEL_ID,
    query: { source: query.source, extractMs: Math.round(query.ms) },
    index: { kind: index.kind, size: index.size, version: st?.version ?? 0 },
    ms: Math.round(performance.now() - t0),
  });
});

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
