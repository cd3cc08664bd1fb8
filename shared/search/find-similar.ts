import type { S3Client } from '@aws-sdk/client-s3';
import type * as z from 'zod';
import { forbidden } from '../platform/errors.js';
import { presignGet } from '../platform/presign.js';
import type { FeaturesRepo } from './features.js';
import type { LiveIndex } from './live-index.js';
import { ImageProblem } from './pipeline.js';
import { decodeEmbeddings, inScope, oversample, selectMatches, type FaceMeta } from './records.js';
import type { searchBody } from './requests.js';
import { fromBase64, fromBucket, headImage, unprocessable } from './source.js';
import { DIMENSION, MODEL_ID, extractFaces } from './vision.js';

export interface FindSimilarDeps {
  s3: S3Client;
  features: FeaturesRepo;
  live: LiveIndex;
  images: { bucket: string; maxBytes: number };
}

interface QueryFace {
  box: FaceMeta['box'];
  score: number;
  embedding: ArrayLike<number>;
}

/** The query's faces: stored ones when the key is indexed at its current content, else the model's. */
async function queryFaces(d: FindSimilarDeps, body: { imageKey?: string | undefined; imageBase64?: string | undefined }): Promise<{ faces: QueryFace[]; source: 'index' | 'model'; ms: number }> {
  if (body.imageKey) {
    const rec = await d.features.get(body.imageKey, MODEL_ID);
    if (rec?.status === 'indexed' && rec.embeddings) {
      const current = await headImage(d.s3, d.images.bucket, body.imageKey).catch((err: unknown) => {
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
    ? await fromBucket(d.s3, d.images.bucket, body.imageKey, d.images.maxBytes)
    : fromBase64(body.imageBase64!, d.images.maxBytes);
  try {
    const r = await extractFaces(image.bytes);
    return { faces: r.faces, source: 'model', ms: r.ms };
  } catch (err) {
    if (err instanceof ImageProblem) throw unprocessable(`not an image: ${err.reason.replace(/^not_an_image: /, '')}`, 'NotAnImage');
    throw err;
  }
}

/**
 * "Find similar images": the query's faces, each with its best matches in the index (other images
 * only, when searching by key), best first. An app-bound caller searches and sees its app's images only.
 */
export async function findSimilar(d: FindSimilarDeps, body: z.infer<typeof searchBody>, appId: string | undefined) {
  const t0 = performance.now();
  if (body.imageKey && !inScope(body.imageKey, appId)) throw forbidden(`imageKey must be under images/${appId}/`);
  const [query, index] = await Promise.all([queryFaces(d, body), d.live.current()]);
  const perFace = query.faces.map((f) => {
    const ask = oversample(body.k, { ownFaces: query.faces.length, scoped: Boolean(appId), size: index.size });
    const hits = index.search(f.embedding, ask, body.minScore !== undefined ? { minScore: body.minScore } : {});
    return selectMatches(hits, { k: body.k, ...(body.imageKey ? { excludeImage: body.imageKey } : {}), ...(appId ? { appId } : {}), ...(body.minScore !== undefined ? { minScore: body.minScore } : {}) });
  });
  // Boxes live in the features records; a hit whose record went away meanwhile is dropped.
  const records = await d.features.facesOf(perFace.flat().map((m) => m.imageKey), MODEL_ID);
  // A short-lived GET URL per matched image, so a browser (the console) can show and link it.
  const urls = new Map(await Promise.all([...new Set(perFace.flat().map((m) => m.imageKey))].map(async (key) =>
    [key, await presignGet(d.images.bucket, key, { expiresIn: 900 })] as const)));
  const faces = query.faces.map((f, i) => ({
    box: f.box,
    score: f.score,
    matches: perFace[i]!.flatMap((m) => {
      const box = records.get(m.imageKey)?.faces?.[m.faceIndex]?.box;
      return box ? [{ imageKey: m.imageKey, faceIndex: m.faceIndex, score: m.score, box, url: urls.get(m.imageKey)! }] : [];
    }),
  }));
  const st = d.live.state();
  return {
    faces,
    model: MODEL_ID,
    query: { source: query.source, extractMs: Math.round(query.ms) },
    index: { kind: index.kind, size: index.size, version: st?.version ?? 0 },
    ms: Math.round(performance.now() - t0),
  };
}
