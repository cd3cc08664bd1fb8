import { createHash } from 'node:crypto';

/**
 * The photo record (DynamoDB table `photos`) and its keys.
 *
 * One table, two item kinds:
 * - `photo#<id>`: the record. Seed flags: downloaded = isRequired, analysed = isDealt, reported = isReported.
 * - `dedup#<sha256(cameraCode, photoUrl, callTime)>`: maps the intake triple to its id; written in the same
 *   transaction as the record with a "does not exist" condition, so one triple gets exactly one id.
 *
 * `stage` is where the record is in the pipeline; `pendingStage` mirrors it while work is pending and is
 * removed when the record is done or failed, so the `pending` GSI (pendingStage, callTime) is sparse: it
 * holds only unfinished records — the seed's "not yet downloaded/analysed/reported in the last N minutes".
 * `outcome` is its counterpart for ended records: set to `done` or `failed` by the same conditional update
 * that ends the record (and moved from `failed` to `done` when a re-driven report succeeds), so the sparse
 * `outcome` GSI (outcome, callTime) holds only ended records and its counts cannot drift from them.
 */
export const STAGES = ['download', 'analyse', 'report'] as const;
export type Stage = (typeof STAGES)[number];
export type RecordStage = Stage | 'done' | 'failed';
export const OUTCOMES = ['done', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Detection {
  box: [number, number, number, number];
  score: number;
}

export interface PhotoRecord {
  pk: string;
  id: number;
  cameraCode: string;
  photoUrl: string;
  /** Epoch ms (GSI sort key); `callTimeIso` is the same instant for people. */
  callTime: number;
  callTimeIso: string;
  createdAt: string;
  stage: RecordStage;
  pendingStage?: Stage;
  /** = stage once the record has ended (done | failed): the key of the sparse `outcome` index. */
  outcome?: Outcome;
  /** Epoch ms of the last progress or attempt: the sweeper calls a record stuck when this is old. */
  touchedAt: number;
  downloaded: boolean;
  downloadedAt?: string;
  analysed: boolean;
  analysedAt?: string;
  reported: boolean;
  reportedAt?: string;
  s3Bucket?: string;
  s3Key?: string;
  contentType?: string;
  bytes?: number;
  /** People in the whole photo (the seed's field), with the camera's masks and other detector settings. */
  numOfPeople?: number;
  /** People inside the camera's countRegion (only when the camera has one). */
  numInRegion?: number;
  /** = cameraCode, set with numInRegion: the key of the sparse `byCameraRegion` index (counts?region=true). */
  regionCameraCode?: string;
  detections?: Detection[];
  model?: string;
  /** SPDX id of the licence of the model's weights (detector results). */
  licence?: string;
  inferenceMs?: number;
  /** 'detector' (our analyse function) or 'callback' (POST /photos/{id}/result). */
  analysedBy?: 'detector' | 'callback';
  attempts: Record<Stage, number>;
  lastError: Partial<Record<Stage, string>>;
  failedStage?: Stage;
  failReason?: string;
  failedAt?: string;
  redrives?: number;
}

export const photoPk = (id: number) => `photo#${id}`;

export function dedupPk(cameraCode: string, photoUrl: string, callTimeMs: number): string {
  const h = createHash('sha256').update(`${cameraCode}\n${photoUrl}\n${callTimeMs}`).digest('hex');
  return `dedup#${h}`;
}

export type ImageType = 'jpeg' | 'png' | 'webp';
export const EXTENSION: Record<ImageType, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };
export const CONTENT_TYPE: Record<ImageType, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** `photos/{cameraCode}/{yyyy}/{MM}/{dd}/{id}.{ext}`, the date being callTime's (UTC). */
export function photoKey(r: { cameraCode: string; callTime: number; id: number }, type: ImageType): string {
  const d = new Date(r.callTime);
  const p = (n: number) => String(n).padStart(2, '0');
  return `photos/${r.cameraCode}/${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/${r.id}.${EXTENSION[type]}`;
}

const KEY_RE = /^photos\/([A-Za-z0-9_-]{1,64})\/\d{4}\/\d{2}\/\d{2}\/(\d+)\.(jpg|png|webp)$/;

/** The inverse of photoKey, for S3 notifications. */
export function parsePhotoKey(key: string): { cameraCode: string; id: number } | undefined {
  const m = KEY_RE.exec(key);
  if (!m) return undefined;
  const id = Number(m[2]);
  return Number.isSafeInteger(id) ? { cameraCode: m[1]!, id } : undefined;
}

/** The first bytes decide, not the Content-Type header. */
export function sniffImage(b: Uint8Array): ImageType | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => b[i] === v)) return 'png';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return 'webp';
  return undefined;
}

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/** What GET /photos/{id} shows (internal keys dropped, times as ISO). */
export function presentRecord(r: PhotoRecord) {
  const { pk: _pk, pendingStage: _p, outcome: _o, touchedAt, callTime: _c, callTimeIso, ...rest } = r;
  return { ...rest, cameraId: r.cameraCode, callTime: callTimeIso, status: r.stage, touchedAt: new Date(touchedAt).toISOString() };
}

/** The report sent to remote server 2. */
export interface PhotoReport {
  id: number;
  /** The camera's id under the name remote server 2 knows (the seed's protocol: unchanged). */
  cameraCode: string;
  photoUrl: string;
  callTime: string;
  numOfPeople: number;
  analyzedAt: string;
  /** Only when the camera has a countRegion. */
  numInRegion?: number;
  /** The model that counted, and its weights' licence (when known: an external analyser may omit them). */
  model?: string;
  licence?: string;
}

export function reportOf(r: PhotoRecord): PhotoReport {
  if (r.numOfPeople === undefined || !r.analysedAt) throw new Error(`photo ${r.id} is not analysed`);
  return {
    id: r.id, cameraCode: r.cameraCode, photoUrl: r.photoUrl, callTime: r.callTimeIso, numOfPeople: r.numOfPeople, analyzedAt: r.analysedAt,
    ...(r.numInRegion !== undefined ? { numInRegion: r.numInRegion } : {}),
    ...(r.model ? { model: r.model } : {}),
    ...(r.licence ? { licence: r.licence } : {}),
  };
}

export const idempotencyKey = (id: number) => `photo-${id}`;
