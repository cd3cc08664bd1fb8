import type { Context, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { s3 } from '../../shared/platform/aws.js';
import { logger } from '../../shared/platform/logger.js';
import { BusyError, processImage, type ImageOutcome, type PipelineDeps } from '../../shared/search/pipeline.js';
import { loadSearchSettings, featuresRepo, jobsRepo, checkpointMessage } from '../../shared/search/settings.js';
import { indexStore } from '../../shared/search/index-store.js';
import { s3Snapshots } from '../../shared/search/snapshots.js';
import { headImage, loadVersion } from '../../shared/search/source.js';
import { DIMENSION, MODEL_ID, extractFaces, warmModel } from '../../shared/search/vision.js';
import { send } from '../../shared/platform/sqs/queues.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';

const snapshots = s3Snapshots(s3());

const cfg = loadSearchSettings('SEARCH_IMAGES_BUCKET', 'SEARCH_FEATURES_TABLE', 'SEARCH_INDEX_TABLE', 'SEARCH_INDEX_BUCKET', 'SEARCH_JOBS_TABLE', 'SEARCH_CHECKPOINT_QUEUE', 'SEARCH_IMAGE_MAX_BYTES', 'SEARCH_CHECKPOINT_AFTER', 'SEARCH_WORKER_MAX_ATTEMPTS');
const jobs = jobsRepo(cfg.SEARCH_JOBS_TABLE);
const store = indexStore({ table: cfg.SEARCH_INDEX_TABLE, bucket: cfg.SEARCH_INDEX_BUCKET, model: MODEL_ID, dimension: DIMENSION }, snapshots);
void warmModel();

let context: Context | undefined;

const deps: PipelineDeps = {
  repo: featuresRepo(cfg.SEARCH_FEATURES_TABLE),
  store,
  model: MODEL_ID,
  dimension: DIMENSION,
  head: (key) => headImage(s3(), cfg.SEARCH_IMAGES_BUCKET, key),
  load: (key, etag) => loadVersion(s3(), cfg.SEARCH_IMAGES_BUCKET, key, etag),
  extract: (bytes) => extractFaces(bytes),
  maxBytes: cfg.SEARCH_IMAGE_MAX_BYTES,
  // The lease outlives this invocation (so nobody takes over a live worker) by a small margin.
  leaseMs: () => (context?.getRemainingTimeInMillis() ?? 120_000) + 5_000,
  owner: `${process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'local'}/${process.pid}/${Math.random().toString(36).slice(2, 8)}`,
};

const task = z.object({ imageKey: z.string().min(1).max(1024), jobId: z.string().min(1).optional() });

/** A task's end, counted once in its job (if any): indexed, or failed with the reason. */
async function finish(body: z.infer<typeof task>, outcome: ImageOutcome): Promise<void> {
  if (outcome.status === 'failed') logger.warn('image not indexed', { imageKey: body.imageKey, reason: outcome.reason });
  if (body.jobId) await jobs.recordTask(body.jobId, body.imageKey, { ok: outcome.status === 'indexed', ...(outcome.status === 'failed' ? { reason: outcome.reason } : {}) }, Date.now());
}

const process_ = sqsHandler({
  body: task,
  backoff: { baseSeconds: 2, maxSeconds: 60 },
  attempts: {
    max: cfg.SEARCH_WORKER_MAX_ATTEMPTS,
    // Waiting for another worker's lease is not a failure of ours: never give up on it.
    waitOn: (err) => err instanceof BusyError,
    giveUp: ({ body }, reason) => finish(body, { status: 'failed', reason, extracted: false }),
    then: 'done',
  },
}, async ({ body }) => {
  const outcome = await processImage(deps, body.imageKey);
  await finish(body, outcome);
  if (outcome.status === 'indexed' && outcome.logVersion !== undefined) await maybeCheckpoint(outcome.logVersion, outcome.faces);
});

/** Every SEARCH_CHECKPOINT_AFTER log entries, ask for a snapshot (FIFO dedup: one request per stretch). */
async function maybeCheckpoint(version: number, appended: number): Promise<void> {
  const every = cfg.SEARCH_CHECKPOINT_AFTER;
  if (Math.floor(version / every) === Math.floor((version - Math.max(1, appended)) / every)) return;
  await send(cfg.SEARCH_CHECKPOINT_QUEUE, checkpointMessage(MODEL_ID, DIMENSION, version, every)).catch((err: unknown) =>
    logger.warn('could not request a checkpoint', { error: (err as Error).message }));
}

/** Extraction worker (SQS): index each image once per content and model; count job tasks once. */
export const handler = async (event: SQSEvent, ctx: Context) => {
  context = ctx;
  return process_(event, ctx);
};

