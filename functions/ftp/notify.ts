import { badRequest } from '../../shared/platform/errors.js';
import { enqueuer, validateNotify } from '../../shared/ftp/enqueue.js';
import { ftpReadRuntime } from '../../shared/ftp/settings.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { parseOr400 } from '../../shared/platform/validation.js';
import * as api from '../../shared/api/ftp.js';

// The read runtime, not ftpRuntime(): notify never logs in to a server, so its bundle carries no FTP
// client, SSM or S3 (issue 16).
const rt = ftpReadRuntime();
const enqueue = enqueuer(rt);

/**
 * POST /ftp/notify { server, path } | [{ server, path }, ...] → 202 { queued, registered }.
 * All items are validated first (known server, inside its root, no `..`, the camera layout); one
 * bad item refuses the whole request with 400 and nothing is queued.
 */
export const handler = httpHandler(api.notify, async ({ body }) => {
  // One item or an array: validated by the matching schema, so errors name the actual problem.
  const single = !Array.isArray(body);
  const list = single ? [parseOr400(api.notifyItem, body, 'body')] : parseOr400(api.notifyItems, body, 'body');
  const { ok, problems } = validateNotify(list, rt.servers, single);
  if (problems.length) {
    throw badRequest(`${problems.length} of ${list.length} item(s) invalid (${problems[0]!.path}: ${problems[0]!.message}); nothing was queued`, problems);
  }
  const r = await enqueue(ok);
  return json(202, { status: 'queued', ...r });
});
