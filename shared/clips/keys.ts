/**
 * Names of things in the clips pipeline. A clip is `{cameraId}/{startEpochMs}.mp4` in the clips
 * bucket; camera ids use the same safe alphabet as rule ids, because they end up in S3 keys, SQS
 * message group ids, alarm ids and URL paths.
 */
export const CAMERA_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
/** Path segments of the API that cannot be camera ids (GET /cameras/status). */
export const RESERVED_CAMERA_IDS = new Set(['status']);

export const isCameraId = (id: string): boolean => CAMERA_ID_PATTERN.test(id) && !RESERVED_CAMERA_IDS.has(id) && id !== '.' && id !== '..';

export interface ClipRef {
  cameraId: string;
  startMs: number;
}

/** `cam1/1700000000000.mp4` → { cameraId, startMs }; anything else (other layouts, bad ids) → null. */
export function parseClipKey(key: string): ClipRef | null {
  const m = /^([^/]+)\/(\d{1,15})\.mp4$/.exec(key);
  if (!m || !isCameraId(m[1]!)) return null;
  const startMs = Number(m[2]);
  return Number.isSafeInteger(startMs) ? { cameraId: m[1]!, startMs } : null;
}

export const clipKey = (cameraId: string, startMs: number): string => `${cameraId}/${Math.round(startMs)}.mp4`;

export const replayKey = (cameraId: string, alarmId: string): string => `replays/${cameraId}/${alarmId}.mp4`;
export const snapshotKey = (cameraId: string, alarmId: string): string => `snapshots/${cameraId}/${alarmId}.jpg`;
export const resultsKey = (cameraId: string, startMs: number, tag: string): string => `results/${cameraId}/${startMs}-${tag}.json`;
