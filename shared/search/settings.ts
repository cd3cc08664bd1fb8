/**
 * The search capability's settings (every environment variable its functions read, with its schema and
 * default; a function loads the ones it uses at cold start with `loadSearchSettings(...)`) and the
 * per-container repos built from them. The index stores (S3 snapshots) are
 * `indexStore` in index-store.ts, so that the job and batch functions bundle no S3 client (issue 16).
 */
import * as z from 'zod';
import { ddb } from '../platform/aws.js';
import { settingsLoader } from '../platform/config.js';
import { FeaturesRepo } from './features.js';
import { JobsRepo } from './jobs.js';

export const searchSettings = {
  SEARCH_IMAGES_BUCKET: z.string().min(1),
  SEARCH_FEATURES_TABLE: z.string().min(1),
  SEARCH_INDEX_TABLE: z.string().min(1),
  SEARCH_INDEX_BUCKET: z.string().min(1),
  SEARCH_JOBS_TABLE: z.string().min(1),
  SEARCH_EXTRACT_QUEUE: z.string().min(1),
  SEARCH_CHECKPOINT_QUEUE: z.string().min(1),
  /** Allow-list for imageUrl (shared/platform/net syntax; same default as the photo pipeline). */
  SEARCH_IMAGE_URL_ALLOW: z.string().default('*'),
  SEARCH_IMAGE_URL_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Largest image accepted from any source. */
  SEARCH_IMAGE_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /** Ask for a new snapshot once a container replayed this many log entries. */
  SEARCH_CHECKPOINT_AFTER: z.coerce.number().int().positive().default(2000),
  /** 'auto' | 'exact' | 'hnsw' (see shared/vectors). */
  SEARCH_INDEX_KIND: z.enum(['auto', 'exact', 'hnsw']).default('auto'),
  /** Answer 503 rather than let API Gateway cut us off at 30 s (the seed's FEATURE_TIMEOUT). */
  SEARCH_EXTRACT_BUDGET_MS: z.coerce.number().int().positive().default(27_000),
  /** Deliveries after which a task that keeps failing transiently is counted as failed (below the queue's maxReceiveCount). */
  SEARCH_WORKER_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(6),
};

export const loadSearchSettings = settingsLoader(searchSettings);

export const featuresRepo = (table: string) => new FeaturesRepo(table, ddb());
export const jobsRepo = (table: string) => new JobsRepo(table, ddb());

/** Checkpoint requests: FIFO, one group (one checkpointer at a time), deduplicated per version bucket. */
export const checkpointMessage = (model: string, dimension: number, version: number, every: number) => ({
  body: { model, dimension },
  groupId: `checkpoint-${model}`,
  dedupId: `cp-${model}-${Math.floor(version / every)}`.replace(/[^A-Za-z0-9_.:@-]/g, '_').slice(0, 128),
});
