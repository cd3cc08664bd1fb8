import { s3 } from '../../shared/platform/aws.js';
import { HttpError, forbidden } from '../../shared/platform/errors.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { parseAllowList } from '../../shared/platform/net/allow.js';
import { inScope } from '../../shared/search/records.js';
import { ImageProblem } from '../../shared/search/pipeline.js';
import * as api from '../../shared/api/search.js';
import { loadSearchSettings } from '../../shared/search/settings.js';
import { fromBucket, fromUrl, unprocessable } from '../../shared/search/source.js';
import { extractFaces, warmModel } from '../../shared/search/vision.js';

const cfg = loadSearchSettings('SEARCH_IMAGES_BUCKET', 'SEARCH_IMAGE_URL_ALLOW', 'SEARCH_IMAGE_URL_TIMEOUT_MS', 'SEARCH_IMAGE_MAX_BYTES', 'SEARCH_EXTRACT_BUDGET_MS');
const allow = parseAllowList(cfg.SEARCH_IMAGE_URL_ALLOW);
void warmModel(); // load with the container, not with the first request

/** POST /features/extract {imageKey | imageUrl} → faces (box, score, embedding), model, ms. Not indexed. */
export const handler = httpHandler(api.extract, async ({ body, caller }) => {
  const started = Date.now();
  if (body.imageKey && !inScope(body.imageKey, caller?.appId)) throw forbidden(`imageKey must be under images/${caller?.appId}/`);
  const image = body.imageKey
    ? await fromBucket(s3(), cfg.SEARCH_IMAGES_BUCKET, body.imageKey, cfg.SEARCH_IMAGE_MAX_BYTES)
    : await fromUrl(body.imageUrl!, { allow, maxBytes: cfg.SEARCH_IMAGE_MAX_BYTES, timeoutMs: cfg.SEARCH_IMAGE_URL_TIMEOUT_MS });
  const budget = cfg.SEARCH_EXTRACT_BUDGET_MS - (Date.now() - started);
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await Promise.race([
      extractFaces(image.bytes, 100),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HttpError(503, 'ModelBusy', 'extraction did not finish in time (model still loading?); retry', undefined, { 'retry-after': '5' })), Math.max(0, budget));
      }),
    ]);
    // float32 carries ~7 significant digits: more in JSON is noise (and 2× the bytes).
    const faces = r.faces.map((f) => ({ box: f.box, score: f.score, embedding: Array.from(f.embedding, (x) => Number(x.toPrecision(7))) }));
    return json(200, { faces, model: r.model, ms: Math.round(r.ms), width: r.width, height: r.height });
  } catch (err) {
    if (err instanceof ImageProblem) throw unprocessable(`not an image: ${err.reason.replace(/^not_an_image: /, '')}`, 'NotAnImage');
    throw err;
  } finally {
    clearTimeout(timer);
  }
});
