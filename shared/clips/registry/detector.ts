/**
 * A camera's detector settings (per-camera calibration, issue 10 §3): the person counter's counting settings
 * for one camera (shared/vision/persons/counting.ts `CountSettings`), stored on the camera's registry item
 * (`detector`, `detectorUpdatedAt`) by `PUT /cameras/{cameraId}/detector` or `panoptes calibrate`, and read
 * by the photo analyser (by the photo's `cameraCode`) and the clip inference (by the clip's `cameraId`):
 * one camera identity for both. Unset fields take the running model's defaults (persons/engines.ts).
 *
 * Polygons (`masks`, `countRegion`) are in image pixels of the camera's photos/frames, [x, y] with y down,
 * validated like the clip rules' polygons (shared/rules/schema.ts).
 */
import * as z from 'zod';
import { logger } from '../../platform/logger.js';
import { expected, polygon } from '../../rules/schema.js';
import type { CountSettings } from '../../vision/persons/counting.js';
import type { CameraItem } from './liveness.js';
import type { CamerasRepo } from './store.js';

export const MAX_MASKS = 20;

const num = () => z.number({ error: expected('a finite number') });
const score = () => num().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1');

/** The fields a camera may set, all optional (body of PUT /cameras/{cameraId}/detector). */
export const DETECTOR_FIELDS = [
  'minScore', 'crowdMinScore', 'crowdFrom', 'crowdScale', 'iou', 'ignoreTopEdge',
  'minArea', 'maxArea', 'minAspect', 'maxAspect', 'masks', 'countRegion',
] as const;

export const detectorSettingsSchema = z
  .strictObject(
    {
      /** Score a person needs (sparse scenes). */
      minScore: score().optional(),
      /** Crowd rule: the lower score persons need once at least `crowdFrom` score ≥ minScore. */
      crowdMinScore: score().optional(),
      crowdFrom: num().int('must be an integer').min(1, 'must be ≥ 1').max(1000, 'must be ≤ 1000').optional(),
      /** Crowd rule: the count is multiplied by this (people hidden behind others). */
      crowdScale: num().min(1, 'must be ≥ 1').max(3, 'must be ≤ 3').optional(),
      iou: num().min(0.05, 'must be ≥ 0.05').max(0.95, 'must be ≤ 0.95').optional(),
      ignoreTopEdge: z.boolean({ error: expected('true or false') }).optional(),
      /** Box area bounds in px² of the image. */
      minArea: num().min(0, 'must be ≥ 0').optional(),
      maxArea: num().min(0, 'must be ≥ 0').optional(),
      /** Box shape bounds, height / width. */
      minAspect: num().min(0, 'must be ≥ 0 (0: no rule)').optional(),
      maxAspect: num().positive('must be > 0').optional(),
      /** A person whose ground point (bottom-centre of the box) is inside a mask is not counted. */
      masks: z
        .array(polygon, { error: expected('an array of polygons [[[x, y], ...], ...]') })
        .max(MAX_MASKS, `at most ${MAX_MASKS} masks`)
        .optional(),
      /** Persons whose ground point is inside this polygon are counted apart (`inRegion` / `numInRegion`). */
      countRegion: polygon.optional(),
    },
    {
      error: (iss) => {
        if (iss.code === 'invalid_type') return 'body must be an object of detector settings';
        if (iss.code === 'unrecognized_keys') return `unknown setting ${iss.keys.map((k) => JSON.stringify(k)).join(', ')} (known: ${DETECTOR_FIELDS.join(', ')})`;
        return undefined;
      },
    },
  )
  .superRefine((s, ctx) => {
    if (s.minArea !== undefined && s.maxArea !== undefined && s.minArea > s.maxArea) {
      ctx.addIssue({ code: 'custom', path: ['maxArea'], message: `must be ≥ minArea (${s.minArea})` });
    }
    if (s.minAspect !== undefined && s.maxAspect !== undefined && s.minAspect > s.maxAspect) {
      ctx.addIssue({ code: 'custom', path: ['maxAspect'], message: `must be ≥ minAspect (${s.minAspect})` });
    }
    if (s.minScore !== undefined && s.crowdMinScore !== undefined && s.crowdMinScore > s.minScore) {
      ctx.addIssue({ code: 'custom', path: ['crowdMinScore'], message: `must be ≤ minScore (${s.minScore}): the crowd threshold is the lower one` });
    }
  });

export type DetectorSettings = z.infer<typeof detectorSettingsSchema>;

// The stored settings go to detectPersons as they are: keep the schema a subset of CountSettings.
const _fits: Partial<CountSettings> = {} as DetectorSettings;
void _fits;

/** Validates an untrusted settings object; details name the field (`masks.1`, '' for the object). */
export function parseDetectorSettings(input: unknown):
  | { ok: true; value: DetectorSettings }
  | { ok: false; details: Array<{ path: string; message: string }> } {
  const r = detectorSettingsSchema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, details: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
}

/**
 * The settings stored on a camera item ({} when none, or the camera is not registered). Stored settings
 * were validated on write; one that no longer validates (edited by hand, an older schema) is logged and
 * ignored rather than handed to the detector.
 */
export function storedDetectorSettings(cam: Pick<CameraItem, 'cameraId' | 'detector'> | null | undefined): DetectorSettings {
  if (!cam || cam.detector === undefined || cam.detector === null) return {};
  const p = parseDetectorSettings(cam.detector);
  if (p.ok) return p.value;
  logger.error('stored detector settings are invalid; using the model defaults', { cameraId: cam.cameraId, details: p.details });
  return {};
}

/** A reader of one camera's settings, read now (one GetItem per call). */
export const detectorSettingsOf = (cameras: Pick<CamerasRepo, 'getCamera'>) =>
  async (cameraId: string): Promise<DetectorSettings> => storedDetectorSettings(await cameras.getCamera(cameraId));

/**
 * `read` (e.g. `detectorSettingsOf(cameras)`) cached per container for `ttlMs`: a burst of photos of one camera is one read
 * (concurrent callers share the read in flight). A camera's new settings apply within `ttlMs`. A failed
 * read is not cached (the caller retries).
 */
export function cachedDetectorSettings(read: (cameraId: string) => Promise<DetectorSettings>, ttlMs = 60_000, maxEntries = 1000) {
  const cache = new Map<string, { at: number; value: Promise<DetectorSettings> }>();
  return (cameraId: string, now = Date.now()): Promise<DetectorSettings> => {
    const hit = cache.get(cameraId);
    if (hit && now - hit.at < ttlMs) return hit.value;
    const entry = { at: now, value: read(cameraId) };
    entry.value.catch(() => {
      if (cache.get(cameraId) === entry) cache.delete(cameraId);
    });
    cache.delete(cameraId); // re-insert: Map order = age, the oldest goes first when full
    cache.set(cameraId, entry);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    return entry.value;
  };
}
