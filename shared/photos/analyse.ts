import { logger } from '../platform/logger.js';
import { PermanentError } from '../platform/errors.js';
import { NotAnImageError, detectPersons } from '../vision/detect.js';
import type { DetectorSettings } from '../clips/registry/detector.js';
import { applyResult } from './service.js';
import type { PhotoObjects } from './objects.js';
import type { PhotoRepo } from './repo.js';

export interface AnalyseDeps {
  repo: PhotoRepo;
  objects: PhotoObjects;
  reportQueue: string;
  /** The photo's camera's detector settings ({} = the model's defaults). */
  cameraSettings: (cameraId: string) => Promise<DetectorSettings>;
  now: () => number;
}

/**
 * Counts the people in a stored photo and goes down the callback path (analysed → report queued).
 * `key` is the stored object when the S3 notification names it; otherwise the record's. Throws
 * PermanentError for what retrying cannot fix (a missing object, bytes that are not an image).
 */
export async function analysePhoto(d: AnalyseDeps, id: number, key?: string): Promise<void> {
  const rec = await d.repo.get(id);
  if (!rec) return logger.warn('analysis for an unknown photo: dropped', { id });
  if (rec.stage !== 'download' && rec.stage !== 'analyse') return; // analysed already, or failed
  const storedKey = key ?? rec.s3Key;
  if (!storedKey) throw new Error(`photo ${id} has no stored object yet`);
  const settings = d.cameraSettings(rec.cameraCode);
  settings.catch(() => undefined); // awaited below; a failed read must not be an unhandled rejection meanwhile
  const bytes = await d.objects.get(storedKey);
  let found;
  try {
    found = await detectPersons(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), await settings);
  } catch (err) {
    if (err instanceof NotAnImageError) throw new PermanentError(`not_an_image: ${err.message}`);
    throw err;
  }
  const r = await applyResult(d.repo, d.reportQueue, id, {
    numOfPeople: found.count,
    ...(found.inRegion !== undefined ? { numInRegion: found.inRegion } : {}),
    detections: found.detections,
    model: found.model,
    licence: found.licence,
    inferenceMs: found.ms,
    by: 'detector',
  }, d.now());
  if (r.outcome === 'conflict') logger.warn('detector disagrees with the stored count', { id, detector: found.count, stored: r.record.numOfPeople });
}
