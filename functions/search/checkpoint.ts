import * as z from 'zod';
import { logger } from '../../shared/platform/logger.js';
import { loadSearchSettings } from '../../shared/search/settings.js';
import { indexStore } from '../../shared/search/index-store.js';
import { s3Snapshots } from '../../shared/search/snapshots.js';
import { s3 } from '../../shared/platform/aws.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';
import { SyncedIndex } from '../../shared/vectors/index.js';

const snapshots = s3Snapshots(s3());

const cfg = loadSearchSettings('SEARCH_INDEX_TABLE', 'SEARCH_INDEX_BUCKET', 'SEARCH_INDEX_KIND');

/**
 * Writes a new snapshot of a model's index to S3 and truncates the log behind it (converting exact →
 * HNSW once the index outgrows exact search, compacting HNSW tombstones). Requested through a FIFO
 * queue with one message group, so checkpoints never overlap; snapshot and truncation are also safe
 * if they did (the head only moves forward).
 */
export const handler = sqsHandler({ body: z.object({ model: z.string().min(1), dimension: z.number().int().positive() }) }, async ({ body }) => {
  const t0 = performance.now();
  const store = indexStore({ table: cfg.SEARCH_INDEX_TABLE, bucket: cfg.SEARCH_INDEX_BUCKET, model: body.model, dimension: body.dimension }, snapshots);
  const synced = await SyncedIndex.open(store, { dimension: body.dimension, kind: cfg.SEARCH_INDEX_KIND });
  const snap = await synced.checkpoint();
  logger.info('index checkpoint written', { model: body.model, version: snap.version, bytes: snap.bytes.byteLength, size: synced.index.size, kind: synced.index.kind, ms: Math.round(performance.now() - t0) });
});
