/**
 * Messages between the stages of the clip pipeline (zod schemas: a body that does not fit is a
 * poison message for the SQS stack).
 *
 *   S3 event ─dispatch→ inference task (FIFO, group = camera) ─inference→ clip results (FIFO, group =
 *   camera) ─tracking→ alarms queue ─replay→ push queue ─push→ webhook
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { CAMERA_ID_PATTERN } from './keys.js';

const cameraId = z.string().regex(CAMERA_ID_PATTERN);

export const inferenceTaskSchema = z.object({
  v: z.literal(1),
  cameraId,
  key: z.string().min(1),
  startMs: z.number().int().nonnegative(),
  etag: z.string(),
  size: z.number().int().nonnegative(),
});
export type InferenceTask = z.infer<typeof inferenceTaskSchema>;

const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export const frameResultSchema = z.object({
  tsMs: z.number().int(),
  detections: z.array(z.object({ box, score: z.number() })),
});
export type FrameResult = z.infer<typeof frameResultSchema>;

const resultHead = {
  v: z.literal(1),
  cameraId,
  key: z.string().min(1),
  startMs: z.number().int().nonnegative(),
  etag: z.string(),
};

export const clipResultSchema = z.object({
  ...resultHead,
  durationMs: z.number().nonnegative(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  fps: z.number().positive(),
  model: z.string(),
  /** SPDX id of the model weights' licence (absent in results from before it was recorded). */
  licence: z.string().optional(),
  frames: z.array(frameResultSchema),
});
export type ClipResult = z.infer<typeof clipResultSchema>;

/** What goes on the results queue: the result itself, or a pointer to it in S3 when too big. */
export const resultsMessageSchema = z.union([
  clipResultSchema,
  z.object({ ...resultHead, ref: z.object({ key: z.string().min(1) }) }),
]);
export type ResultsMessage = z.infer<typeof resultsMessageSchema>;

export const alarmTaskSchema = z.object({ alarmId: z.string().min(1) });
export type AlarmTask = z.infer<typeof alarmTaskSchema>;

/** SQS allows 256 KiB per message; leave room for attributes and JSON escaping. */
export const DEFAULT_INLINE_MAX_BYTES = 200 * 1024;

/**
 * Inline when the JSON fits in `maxBytes`, else a pointer to `refKey` (the caller uploads `json`
 * there first). Pure, so the size decision is unit-tested.
 */
export function packResults(result: ClipResult, refKey: string, maxBytes = DEFAULT_INLINE_MAX_BYTES):
  { message: ResultsMessage; json: string; inline: boolean } {
  const json = JSON.stringify(result);
  if (Buffer.byteLength(json) <= maxBytes) return { message: result, json, inline: true };
  const { v, cameraId: cam, key, startMs, etag } = result;
  return { message: { v, cameraId: cam, key, startMs, etag, ref: { key: refKey } }, json, inline: false };
}

/** Stable id for a clip version (key + etag): FIFO de-duplication ids, result object names. */
export function clipTag(key: string, etag: string): string {
  return createHash('sha256').update(`${key}\n${etag}`).digest('hex').slice(0, 32);
}

/** Detections as sent: boxes to 0.1 px and scores to 3 decimals keep messages small. */
export function compactDetections(ds: ReadonlyArray<{ box: readonly number[]; score: number }>): FrameResult['detections'] {
  const r1 = (n: number) => Math.round(n * 10) / 10;
  return ds.map((d) => ({
    box: [r1(d.box[0]!), r1(d.box[1]!), r1(d.box[2]!), r1(d.box[3]!)] as [number, number, number, number],
    score: Math.round(d.score * 1000) / 1000,
  }));
}
