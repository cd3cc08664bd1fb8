import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { conflict, notFound } from '../../shared/platform/errors.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { applyResult } from '../../shared/photos/service.js';
import * as api from '../../shared/api/photos.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_REPORT_QUEUE');
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);

/**
 * POST /photos/{id}/result (x-api-key): an external analyser's count (the seed's Python script).
 * 200 { status: 'success', id, numOfPeople } — also for a repeat with the same count; 409 when the
 * photo already has a different count or failed; 404 unknown id.
 */
export const handler = httpHandler(api.result, async ({ path, body }) => {
  const r = await applyResult(repo, cfg.PHOTOS_REPORT_QUEUE, path.id, { ...body, by: 'callback' }, Date.now());
  if (r.outcome === 'missing') throw notFound(`photo ${path.id} not found`);
  if (r.outcome === 'conflict') {
    throw conflict(r.record.stage === 'failed'
      ? `photo ${path.id} failed at ${r.record.failedStage}: ${r.record.failReason}`
      : `photo ${path.id} was already analysed with numOfPeople=${r.record.numOfPeople}`);
  }
  return json(200, { status: 'success', id: path.id, numOfPeople: body.numOfPeople, ...(r.outcome === 'duplicate' ? { duplicate: true } : {}) });
});
