import { describe, expect, it } from 'vitest';
import { toHttp, type HttpError } from '../../../shared/platform/errors.js';
import { aggregate, countsQuery, resolveRange } from '../../../shared/photos/counts.js';
import { MAX_BODY_BYTES, parseIntake } from '../../../shared/photos/intake.js';
import { dedupPk, parsePhotoKey, photoKey, reportOf, sniffImage, type PhotoRecord } from '../../../shared/photos/records.js';
import { judgeError, judgeResponse, planSweep } from '../../../shared/photos/policy.js';
import { failureVerdict, isLastAttempt } from '../../../shared/platform/sqs/stack.js';
import { PermanentError } from '../../../shared/platform/errors.js';
import { parseDuration } from '../../../shared/platform/time.js';
import { parseTime } from '../../../shared/photos/time.js';
import { SafeFetchError } from '../../../shared/platform/net/safe-fetch.js';

const NOW = Date.UTC(2025, 4, 1, 12, 0, 0);
const body = (v: unknown) => Buffer.from(JSON.stringify(v));
const good = { photoUrl: 'https://files.example.com/a/1.jpg', cameraCode: 'cam-01_A', callTime: '2025-05-01T11:59:00Z' };

function expect400(fn: () => unknown, path: string) {
  try {
    fn();
  } catch (err) {
    // Domain code throws domain errors; toHttp is the one mapping to the answer.
    const http = toHttp(err);
    expect(http?.statusCode).toBe(400);
    expect(http?.details?.[0]?.path).toBe(path);
    return http as HttpError;
  }
  throw new Error('expected a 400');
}

describe('callTime parsing', () => {
  it('accepts ISO 8601 with or without offset (UTC), and epoch ms as number or digits', () => {
    expect(parseTime('2025-05-01T08:30:00+08:00')).toEqual({ ok: true, ms: Date.UTC(2025, 4, 1, 0, 30) });
    expect(parseTime('2025-05-01T08:30:00.123Z')).toEqual({ ok: true, ms: Date.UTC(2025, 4, 1, 8, 30, 0, 123) });
    expect(parseTime('2025-05-01 08:30:00')).toEqual({ ok: true, ms: Date.UTC(2025, 4, 1, 8, 30) });
    expect(parseTime('2025-05-01T08:30-0130')).toEqual({ ok: true, ms: Date.UTC(2025, 4, 1, 10, 0) });
    expect(parseTime(1746086400000)).toEqual({ ok: true, ms: 1746086400000 });
    expect(parseTime('1746086400000')).toEqual({ ok: true, ms: 1746086400000 });
  });

  it('refuses impossible dates, garbage and epoch seconds', () => {
    for (const v of ['2025-02-30T00:00:00Z', '2025-13-01', 'yesterday', '2025-05-01T25:00:00Z', '', true, null, {}]) {
      expect(parseTime(v).ok, String(v)).toBe(false);
    }
    const secs = parseTime(1746086400);
    expect(secs.ok).toBe(false);
    expect(!secs.ok && secs.message).toMatch(/seconds/);
  });

  it('durations', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('30')).toBe(30_000);
    expect(parseDuration('ten')).toBeUndefined();
  });
});

describe('intake validation', () => {
  it('one announcement → one valid item with a normalised callTime and dedup key', () => {
    const r = parseIntake(body(good), NOW);
    expect(r.batch).toBe(false);
    expect(r.items[0]).toEqual({ ok: true, value: { cameraCode: 'cam-01_A', photoUrl: good.photoUrl, callTime: Date.UTC(2025, 4, 1, 11, 59), dedupKey: expect.stringMatching(/^dedup#[0-9a-f]{64}$/) } });
  });

  it('the same instant written two ways is the same dedup key', () => {
    const a = parseIntake(body(good), NOW).items[0]!;
    const b = parseIntake(body({ ...good, callTime: Date.UTC(2025, 4, 1, 11, 59) }), NOW).items[0]!;
    expect(a.ok && b.ok && a.value.dedupKey === b.value.dedupKey).toBe(true);
    expect(dedupPk('a', 'u', 1)).not.toBe(dedupPk('a', 'u', 2));
  });

  it('names the camera cameraId, as clips do; cameraCode (the seed\'s name) is an alias with the same dedup key', () => {
    const { cameraCode, ...rest } = good;
    const byId = parseIntake(body({ ...rest, cameraId: cameraCode }), NOW).items[0]!;
    const byCode = parseIntake(body(good), NOW).items[0]!;
    const both = parseIntake(body({ ...good, cameraId: cameraCode }), NOW).items[0]!;
    expect(byId.ok && byId.value.cameraCode).toBe(cameraCode);
    expect(byId.ok && byCode.ok && both.ok && byId.value.dedupKey === byCode.value.dedupKey && both.value.dedupKey === byCode.value.dedupKey).toBe(true);
    expect(expect400(() => parseIntake(body(rest), NOW), 'body.cameraId').message).toMatch(/cameraId is required.*alias/);
    expect400(() => parseIntake(body({ ...good, cameraId: 'other-cam' }), NOW), 'body.cameraCode');
    expect400(() => parseIntake(body({ ...rest, cameraId: 'cam 01' }), NOW), 'body.cameraId');
  });

  it('a bad single announcement is a 400 naming the field', () => {
    expect400(() => parseIntake(body({ ...good, photoUrl: undefined }), NOW), 'body.photoUrl');
    expect400(() => parseIntake(body({ ...good, photoUrl: 'ftp://x/y.jpg' }), NOW), 'body.photoUrl');
    expect400(() => parseIntake(body({ ...good, photoUrl: `https://x.example.com/${'a'.repeat(2100)}` }), NOW), 'body.photoUrl');
    expect400(() => parseIntake(body({ ...good, cameraCode: 'cam 01' }), NOW), 'body.cameraCode');
    expect400(() => parseIntake(body({ ...good, cameraCode: 'x'.repeat(65) }), NOW), 'body.cameraCode');
    expect400(() => parseIntake(body({ ...good, cameraCode: 42 }), NOW), 'body.cameraCode');
    expect400(() => parseIntake(body({ ...good, callTime: 'soon' }), NOW), 'body.callTime');
    const future = expect400(() => parseIntake(body({ ...good, callTime: NOW + 6 * 60_000 }), NOW), 'body.callTime');
    expect(future.message).toMatch(/future/);
    expect(parseIntake(body({ ...good, callTime: NOW + 4 * 60_000 }), NOW).items[0]!.ok).toBe(true);
    expect400(() => parseIntake(body('a string'), NOW), 'body');
    expect400(() => parseIntake(Buffer.from('{not json'), NOW), 'body');
    expect400(() => parseIntake(Buffer.alloc(0), NOW), 'body');
    expect400(() => parseIntake(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20), NOW), 'body');
  });

  it('arrays: 1..100 items, each judged on its own', () => {
    expect400(() => parseIntake(body([]), NOW), 'body');
    expect400(() => parseIntake(body(Array.from({ length: 101 }, () => good)), NOW), 'body');
    const r = parseIntake(body([good, { ...good, cameraCode: '' }, 7]), NOW);
    expect(r.batch).toBe(true);
    expect(r.items.map((i) => i.ok)).toEqual([true, false, false]);
    expect(!r.items[1]!.ok && r.items[1]!.details[0]!.path).toBe('body.1.cameraCode');
    expect(!r.items[2]!.ok && r.items[2]!.details[0]!.path).toBe('body.2');
  });
});

describe('keys and bytes', () => {
  it('S3 key from cameraCode, callTime (UTC date) and id, and back', () => {
    const key = photoKey({ cameraCode: 'cam-1', callTime: Date.UTC(2025, 0, 9, 23, 59), id: 42 }, 'jpeg');
    expect(key).toBe('photos/cam-1/2025/01/09/42.jpg');
    expect(parsePhotoKey(key)).toEqual({ cameraCode: 'cam-1', id: 42 });
    expect(parsePhotoKey('photos/cam-1/2025/01/09/x.jpg')).toBeUndefined();
    expect(parsePhotoKey('other/cam-1/2025/01/09/42.jpg')).toBeUndefined();
  });

  it('sniffs JPEG, PNG and WebP by magic bytes only', () => {
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpeg');
    expect(sniffImage(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toBeUndefined();
    expect(sniffImage(Buffer.from('<html>'))).toBeUndefined();
    expect(sniffImage(Buffer.alloc(0))).toBeUndefined();
  });

  it('the report carries exactly the agreed fields', () => {
    const rec = { id: 7, cameraCode: 'c', photoUrl: 'http://x/y.jpg', callTimeIso: '2025-05-01T00:00:00.000Z', numOfPeople: 3, analysedAt: '2025-05-01T00:00:05.000Z' } as PhotoRecord;
    expect(reportOf(rec)).toEqual({ id: 7, cameraCode: 'c', photoUrl: 'http://x/y.jpg', callTime: '2025-05-01T00:00:00.000Z', numOfPeople: 3, analyzedAt: '2025-05-01T00:00:05.000Z' });
    expect(() => reportOf({ ...rec, numOfPeople: undefined } as PhotoRecord)).toThrow(/not analysed/);
    // A detector result adds the model and its licence, and the count region's count when the camera has one.
    const detected = { ...rec, model: 'coco-ssd-mobilenetv2@tfjs', licence: 'Apache-2.0', numInRegion: 0, detections: [], inferenceMs: 80 } as PhotoRecord;
    expect(reportOf(detected)).toEqual({ ...reportOf(rec), numInRegion: 0, model: 'coco-ssd-mobilenetv2@tfjs', licence: 'Apache-2.0' });
  });
});

describe('download policy', () => {
  const res = (status: number, b: Buffer | string, ct?: string) => ({ status, body: Buffer.from(b), headers: ct ? { 'content-type': ct } : {} });
  it('2xx with image bytes is ok; anything else is judged permanent or transient', () => {
    expect(judgeResponse(res(200, Buffer.from([0xff, 0xd8, 0xff, 1])))).toEqual({ kind: 'ok', type: 'jpeg' });
    const text = judgeResponse(res(200, 'hello', 'image/jpeg'));
    expect(text.kind).toBe('permanent');
    expect(text.kind !== 'ok' && text.reason).toMatch(/^not_an_image: .*content-type image\/jpeg/);
    expect(judgeResponse(res(404, ''))).toEqual({ kind: 'permanent', reason: 'http_404' });
    expect(judgeResponse(res(403, ''))).toEqual({ kind: 'permanent', reason: 'http_403' });
    expect(judgeResponse(res(503, ''))).toEqual({ kind: 'transient', reason: 'http_503' });
    expect(judgeResponse(res(429, ''))).toEqual({ kind: 'transient', reason: 'http_429' });
    expect(judgeError(new SafeFetchError('too_large', 'big', true)).kind).toBe('permanent');
    expect(judgeError(new SafeFetchError('network', 'ECONNREFUSED', false))).toEqual({ kind: 'transient', reason: 'network: ECONNREFUSED' });
    expect(isLastAttempt(3, 4)).toBe(false);
    expect(isLastAttempt(4, 4)).toBe(true);
  });

  it('one verdict for a failed attempt, on or off a queue: permanent now, transient until the last attempt', () => {
    const a = { max: 3 };
    expect(failureVerdict(new PermanentError('not_an_image: text'), 1, a)).toEqual({ retry: false, reason: 'not_an_image: text' });
    expect(failureVerdict(new Error('ECONNRESET'), 1, a)).toEqual({ retry: true });
    expect(failureVerdict(new Error('ECONNRESET'), 3, a)).toEqual({ retry: false, reason: 'gave up after 3 attempts: ECONNRESET' });
    // waitOn: an outage that is nobody's fault keeps its attempts coming past max.
    expect(failureVerdict(new Error('unavailable'), 5, { ...a, waitOn: () => true })).toEqual({ retry: true });
  });
});

describe('sweeper plan', () => {
  it('re-drives records idle for stuckAfter, fails those re-driven too often', () => {
    const now = 1_000_000;
    const plan = planSweep([
      { id: 1, stage: 'download', touchedAt: now - 60_000 },
      { id: 2, stage: 'report', touchedAt: now - 1000 },
      { id: 3, stage: 'analyse', touchedAt: now - 60_000, redrives: 6 },
    ], now, 30_000, 6);
    expect(plan).toEqual([{ id: 1, stage: 'download', action: 'redrive' }, { id: 3, stage: 'analyse', action: 'fail' }]);
  });
});

describe('counts', () => {
  it('aggregates per epoch-aligned bucket: photos, avg, max, min', () => {
    const t0 = Date.UTC(2025, 4, 1, 10, 0);
    const series = aggregate([
      { callTime: t0 + 10_000, numOfPeople: 2 },
      { callTime: t0 + 299_999, numOfPeople: 5 },
      { callTime: t0 + 300_000, numOfPeople: 1 },
      { callTime: t0 + 20_000, numOfPeople: 0 },
    ], 300_000);
    expect(series).toEqual([
      { start: '2025-05-01T10:00:00.000Z', photos: 3, avg: 2.33, max: 5, min: 0 },
      { start: '2025-05-01T10:05:00.000Z', photos: 1, avg: 1, max: 1, min: 1 },
    ]);
  });

  it('query: defaults to the last 24 h in 5m buckets; refuses silly ranges', () => {
    const q = countsQuery.parse({});
    expect(resolveRange(q, NOW)).toEqual({ from: NOW - 86_400_000, to: NOW, bucketMs: 300_000, bucket: '5m' });
    expect(countsQuery.safeParse({ bucket: '0m' }).success).toBe(false);
    expect(countsQuery.safeParse({ bucket: '5' }).success).toBe(false);
    expect(countsQuery.safeParse({ from: 'nope' }).success).toBe(false);
    expect(resolveRange(countsQuery.parse({ from: '2025-05-01T12:00:00Z', to: '2025-05-01T11:00:00Z' }), NOW)).toHaveProperty('error');
    expect(resolveRange(countsQuery.parse({ from: '2025-01-01T00:00:00Z', to: '2025-05-01T00:00:00Z' }), NOW)).toHaveProperty('error');
    expect(resolveRange(countsQuery.parse({ bucket: '1s' }), NOW)).toHaveProperty('error');
  });
});
