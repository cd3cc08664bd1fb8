/**
 * One clip through the shared person detector: decode at `fps` (ffmpeg), detect per frame with the
 * camera's detector settings, and stamp each frame with wall-clock time (clip start + frame offset).
 */
import { decodeFrames, probe } from '../video/index.js';
import { detectPersonsRgb, type DetectPersonsOptions } from '../vision/detect.js';
import { compactDetections, type ClipResult, type InferenceTask } from './messages.js';

export interface InferOptions {
  fps: number;
  /** The camera's detector settings (shared/clips/registry/detector.ts); unset fields take the model's defaults. */
  settings?: DetectPersonsOptions;
  /** Detector override (tests, benchmarks). */
  detect?: (data: Uint8Array, width: number, height: number) => Promise<{ detections: Array<{ box: readonly number[]; score: number }>; model: string; licence?: string }>;
}

export async function inferClip(clip: Uint8Array, task: Pick<InferenceTask, 'cameraId' | 'key' | 'startMs' | 'etag'>, o: InferOptions): Promise<{ clip: ClipResult; maxPersons: number; ms: number }> {
  const t0 = performance.now();
  const info = await probe(clip);
  const detect = o.detect ?? ((d, w, h) => detectPersonsRgb(d, w, h, o.settings));
  const frames: ClipResult['frames'] = [];
  let model = 'none';
  let licence: string | undefined;
  let maxPersons = 0;
  for await (const f of decodeFrames(clip, { fps: o.fps })) {
    const r = await detect(f.data, f.width, f.height);
    model = r.model;
    licence = r.licence;
    maxPersons = Math.max(maxPersons, r.detections.length);
    frames.push({ tsMs: task.startMs + Math.round(f.ptsSec * 1000), detections: compactDetections(r.detections) });
  }
  const durationMs = Number.isFinite(info.durationSec) ? Math.round(info.durationSec * 1000) : frames.length * (1000 / o.fps);
  return {
    clip: {
      v: 1, cameraId: task.cameraId, key: task.key, startMs: task.startMs, etag: task.etag, durationMs, width: info.width, height: info.height, fps: o.fps,
      model, ...(licence ? { licence } : {}), frames,
    },
    maxPersons,
    ms: performance.now() - t0,
  };
}
