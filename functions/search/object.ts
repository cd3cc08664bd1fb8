import type { S3Event } from 'aws-lambda';
import { logger } from '../../shared/platform/logger.js';
import { AUTO_INDEX_PREFIX } from '../../shared/search/records.js';
import { removeImage } from '../../shared/search/pipeline.js';
import { loadSearchSettings, featuresRepo } from '../../shared/search/settings.js';
import { indexStore, logOnly } from '../../shared/search/index-store.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { objectKey } from '../../shared/platform/s3-event.js';

// Removals only append to the index log: no snapshot, so no S3 client in this bundle (issue 16).
const snapshots = logOnly;

const cfg = loadSearchSettings('SEARCH_FEATURES_TABLE', 'SEARCH_INDEX_TABLE', 'SEARCH_INDEX_BUCKET', 'SEARCH_EXTRACT_QUEUE');
const repo = featuresRepo(cfg.SEARCH_FEATURES_TABLE);

/**
 * S3 events on the images bucket (images/…): a new object becomes an extraction task — the worker does
 * the work, with the queue's backoff and DLQ — and a removed object leaves the index.
 */
export const handler = async (event: S3Event): Promise<void> => {
  for (const r of event.Records) {
    const key = objectKey(r);
    if (!key.startsWith(AUTO_INDEX_PREFIX)) continue;
    if (r.eventName.startsWith('ObjectRemoved')) {
      const removed = await removeImage(repo, (model) => indexStore({ table: cfg.SEARCH_INDEX_TABLE, bucket: cfg.SEARCH_INDEX_BUCKET, model }, snapshots), key);
      logger.info('image removed from the index', { key, ...removed });
    } else {
      await send(cfg.SEARCH_EXTRACT_QUEUE, { body: { imageKey: key } });
    }
  }
};
