import { notFound } from '../../shared/platform/errors.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { jobView } from '../../shared/search/records.js';
import * as api from '../../shared/api/search.js';
import { loadSearchSettings, jobsRepo } from '../../shared/search/settings.js';

const cfg = loadSearchSettings('SEARCH_JOBS_TABLE');
const jobs = jobsRepo(cfg.SEARCH_JOBS_TABLE);

/** GET /features/jobs/{jobId} → {total, done, failed, state}; 404 once expired (or another app's). */
export const handler = httpHandler(api.job, async ({ path, caller }) => {
  const job = await jobs.get(path.jobId);
  const view = job && (!caller?.appId || job.appId === caller.appId) ? jobView(job, Date.now()) : undefined;
  if (!view) throw notFound(`job ${path.jobId} does not exist (or expired)`);
  return json(200, view);
});
