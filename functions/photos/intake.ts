import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { loadPhotosSettings } from '../../shared/photos/settings.js';
import { parseIntake } from '../../shared/photos/intake.js';
import { PhotoRepo } from '../../shared/photos/repo.js';
import { acceptPhotos } from '../../shared/photos/service.js';
import * as api from '../../shared/api/photos.js';

const cfg = loadPhotosSettings('PHOTOS_TABLE', 'PHOTOS_DOWNLOAD_QUEUE');
const repo = new PhotoRepo(cfg.PHOTOS_TABLE);

/**
 * POST /photos (x-api-key): one announcement → 202 { status, id }; an array → one answer per item:
 * 202 when all are accepted, 207 when some are not, 400 when none is. Bodies are parsed here rather
 * than by the stack so that oversize and malformed bodies are all answered 400 by the same rules.
 */
export const handler = httpHandler(api.intake, async ({ rawBody, requestId }) => {
  const now = Date.now();
  const parsed = parseIntake(rawBody, now);
  if (parsed.batch && parsed.items.every((i) => !i.ok)) {
    const items = parsed.items.map((i) => (i.ok ? undefined : { status: 'error' as const, message: i.message, details: i.details }));
    return json(400, {
      status: 'error',
      error: 'ValidationError',
      message: `no valid item: ${items[0]!.message}`,
      details: items.flatMap((i) => i!.details),
      items,
      requestId,
    });
  }
  const answers = await acceptPhotos(repo, cfg.PHOTOS_DOWNLOAD_QUEUE, parsed.items, now);
  if (!parsed.batch) return json(202, answers[0]);
  return json(answers.every((a) => a.status === 'success') ? 202 : 207, answers);
});
