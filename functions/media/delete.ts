import * as z from 'zod';
import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { logger } from '../../shared/platform/logger.js';
import * as api from '../../shared/api/media.js';
import { s3 } from '../../shared/platform/aws.js';
import { s3Objects } from '../../shared/media-store/objects.js';
import { storeWith } from './context.js';

const store = storeWith(s3Objects(s3()));

/** DELETE /media/{fileId} → 200 { fileId, status: 'deleted', alreadyDeleted } (404 if unknown) */
export const remove = httpHandler(api.remove, async ({ path, caller }) => {
  const r = await store.deleteFile(path.fileId, caller!);
  return json(200, { fileId: r.fileId, status: 'deleted', alreadyDeleted: r.already });
});

const sweepEvent = z.object({
  abandonAfterSeconds: z.number().int().min(0).optional(),
  deleteGraceSeconds: z.number().int().min(0).optional(),
});

/** Scheduled: removes abandoned uploads and finishes interrupted deletes. Invoked by hand with cut-offs to test. */
export const sweep = async (event: unknown) => {
  const parsed = sweepEvent.safeParse(event ?? {});
  const opts = parsed.success ? parsed.data : {};
  const stats = await store.sweep({
    ...(opts.abandonAfterSeconds !== undefined ? { abandonAfterSeconds: opts.abandonAfterSeconds } : {}),
    ...(opts.deleteGraceSeconds !== undefined ? { deleteGraceSeconds: opts.deleteGraceSeconds } : {}),
  });
  logger.info('media sweep', { ...stats });
  return stats;
};
