import { afterEach, describe, expect, it, vi } from 'vitest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { presign, presignGet, presignPart, presignPut } from '../../../shared/media-store/objects.js';
import { decodeCursor, encodeCursor } from '../../../shared/media-store/records.js';
import { mediaSettings, MAX_RANGE_BYTES } from '../../../shared/media-store/settings.js';

const s3 = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', forcePathStyle: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });

describe('presigned URLs', () => {
  it('carry no SDK checksum (S3 would check it against the real body) and sign the length (and type) of a PUT', async () => {
    const put = new URL(await presignPut(s3, 'bucket', '000/001/002/id.mp4', 'video/mp4', 1234, 900));
    expect(put.pathname).toBe('/bucket/000/001/002/id.mp4'); // path style on the emulator
    expect([...put.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(put.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(put.searchParams.get('X-Amz-Expires')).toBe('900');

    const part = new URL(await presignPart(s3, 'bucket', 'k', 'upload-1', 7, 8 * 1024 * 1024, 900));
    expect(part.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect(part.searchParams.get('partNumber')).toBe('7');
    expect(part.searchParams.get('uploadId')).toBe('upload-1');
    expect([...part.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);

  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('GET: the SDK presigner\'s URL without checksum, signed without an S3 client', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-04T05:06:07Z'));
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ENDPOINT_URL_S3', 'http://127.0.0.1:4566');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'k');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 's');
    const url = await presignGet('bucket', '000/001/id.mp4', 'video/mp4', 900);
    const get = new URL(url);
    expect(get.searchParams.get('response-content-type')).toBe('video/mp4');
    expect([...get.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
    expect(url).toBe(await presign(s3, new GetObjectCommand({ Bucket: 'bucket', Key: '000/001/id.mp4', ResponseContentType: 'video/mp4' }), 900));
  });
});

describe('list cursors', () => {
  it('round-trip and only serve the listing they came from', () => {
    const c = encodeCursor({ userKey: 'appA#u1', fileId: 'abc' });
    expect(decodeCursor(c, 'appA#u1')).toEqual({ userKey: 'appA#u1', fileId: 'abc' });
    expect(() => decodeCursor(c, 'appA#u2')).toThrow(/invalid cursor/);
    expect(() => decodeCursor('not-base64-json', 'appA#u1')).toThrow(/invalid cursor/);
    expect(() => decodeCursor(encodeCursor({ userKey: 'appA#u1', fileId: 'abc', extra: 1 }), 'appA#u1')).toThrow(/invalid cursor/);
  });
});

describe('media settings', () => {
  it('parse the environment and cap ranged answers to what Lambda can return', () => {
    const s = mediaSettings({ MEDIA_FILES_TABLE: 'files', MEDIA_GROUPS: 'g1 bucket-one', MEDIA_MULTIPART_THRESHOLD: '8388608', MEDIA_MAX_RANGE_BYTES: String(64 * 1024 * 1024) });
    expect(s.store).toMatchObject({ filesTable: 'files', groups: [{ name: 'g1', bucket: 'bucket-one' }], multipartThreshold: 8388608 });
    expect(s.maxRangeBytes).toBe(MAX_RANGE_BYTES);
    // base64 of the largest answer stays under Lambda's 6 MB response limit
    expect(Math.ceil(MAX_RANGE_BYTES / 3) * 4).toBeLessThan(6 * 1000 * 1000);
  });
  it('names the bad variable', () => {
    expect(() => mediaSettings({ MEDIA_GROUPS: 'g1' })).toThrow(/MEDIA_FILES_TABLE[\s\S]*MEDIA_GROUPS|MEDIA_GROUPS[\s\S]*MEDIA_FILES_TABLE/);
  });
});
