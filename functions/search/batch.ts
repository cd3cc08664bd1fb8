import { forbidden } from '../../shared/platform/errors.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { nextId } from '../../shared/ids/index.js';
import { logger } from '../../shared/platform/logger.js';
import { inScope } from '../../shared/search/records.js';
import * as api from '../../shared/api/search.js';
import { loadSearchSettings, jobsRepo } from '../../shared/search/settings.js';
import { sendBatch } from '../../shared/platform/sqs/queues.js';
import { HttpError } from '../../shared/platform/errors.js';

const cfg = loadSearchSettings('SEARCH_JOBS_TABLE', 'SEARCH_EXTRACT_QUEUE');
const jobs = jobsRepo(cfg.SEARCH_JOBS_TABLE);

/** SendMessageBatch calls in flight: 10,000 tasks are 1,000 calls, ~1 s at this width. */
const SEND_WIDTH = 16;

/** POST /features/batch {imageKeys ≤ 10,000} → 202 {jobId}; one SQS task per distinct key. */
export const handler = httpHandler(api.batch, async ({ body, caller }) => {
  const keys = [...new Set(body.imageKeys)];
  const outside = keys.find((k) => !inScope(k, caller?.appId));
  if (outside) throw forbidden(`imageKeys must be under images/${caller?.appId}/ (${outside} is not)`);
  const jobId = String(await nextId('searchJob'));
  await jobs.create({ jobId, total: keys.length, appId: caller?.appId, now: Date.now() });
  try {
    const messages = keys.map((imageKey) => ({ body: { jobId, imageKey } }));
    const chunks: (typeof messages)[] = [];
    for (let i = 0; i < messages.length; i += 100) chunks.push(messages.slice(i, i + 100));
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(SEND_WIDTH, chunks.length) }, async () => {
      while (next < chunks.length) await sendBatch(cfg.SEARCH_EXTRACT_QUEUE, chunks[next++]!);
    }));
    await jobs.markRunning(jobId);
  } catch (err) {
    // Tasks already queued still run (and count); the job says why it will not complete.
    logger.error('batch: queuing failed', { jobId, error: (err as Error).message });
    await jobs.markFailed(jobId, `queuing failed: ${(err as Error).message}`, Date.now()).catch(() => undefined);
    throw new HttpError(503, 'QueueUnavailable', `job ${jobId}: could not queue all tasks; submit again`, undefined, { 'retry-after': '5' });
  }
  return json(202, { jobId, total: keys.length, state: 'running' }, { location: `/features/jobs/${jobId}` });
});
