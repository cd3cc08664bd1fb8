import * as z from 'zod';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { parseAllowList } from '../../shared/platform/net/allow.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { photoObjects } from '../../shared/photos/objects.js';
import { downloadPhoto, type DownloadDeps } from '../../shared/photos/download.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_BUCKET', 'PHOTOS_SOURCE_ALLOW', 'PHOTOS_DOWNLOAD_TIMEOUT_MS', 'PHOTOS_DOWNLOAD_MAX_BYTES', 'PHOTOS_DOWNLOAD_MAX_ATTEMPTS');
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);
const deps: DownloadDeps = {
  repo,
  objects: photoObjects(cfg.PHOTOS_BUCKET),
  fetch: { allow: parseAllowList(cfg.PHOTOS_SOURCE_ALLOW), timeoutMs: cfg.PHOTOS_DOWNLOAD_TIMEOUT_MS, maxBytes: cfg.PHOTOS_DOWNLOAD_MAX_BYTES },
  now: Date.now,
};

/**
 * Download consumer. Permanent failures mark the record failed at once; transient ones retry with
 * backoff until PHOTOS_DOWNLOAD_MAX_ATTEMPTS, then fail.
 */
export const handler = sqsHandler({
  body: z.object({ id: z.number().int().positive() }),
  attempts: {
    max: cfg.PHOTOS_DOWNLOAD_MAX_ATTEMPTS,
    // Counted on the record: a sweeper re-drive is a new message whose receive count starts again.
    number: async ({ body, receiveCount }) => Math.max(receiveCount, ((await repo.get(body.id))?.attempts.download ?? 0) + 1),
    retrying: ({ body }, err) => repo.recordAttempt(body.id, 'download', err.message, Date.now()),
    giveUp: ({ body }, reason) => repo.markFailed(body.id, 'download', reason, Date.now()),
    then: 'done',
  },
}, ({ body }) => downloadPhoto(deps, body.id));
