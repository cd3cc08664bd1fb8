import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { presignGet } from '../../../shared/platform/presign.js';

/** shared/platform/presign.ts must hand out exactly the URL the SDK's presigner gives for the same GetObject. */
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session/token+=' };
const signingDate = new Date('2026-01-02T03:04:05Z');

async function sdkUrl(bucket: string, key: string, responseContentType?: string): Promise<string> {
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL;
  const client = new S3Client({
    region: process.env.AWS_REGION!, credentials,
    forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' || Boolean(endpoint),
    ...(endpoint ? { endpoint } : {}),
  });
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key, ...(responseContentType ? { ResponseContentType: responseContentType } : {}) }), { expiresIn: 300, signingDate });
}

afterEach(() => vi.unstubAllEnvs());

describe('presignGet', () => {
  const cases: Array<{ name: string; env: Record<string, string>; bucket: string; key: string; type?: string }> = [
    { name: 'virtual-hosted on AWS, a key with spaces, reserved and non-ASCII characters', env: { AWS_REGION: 'us-east-1' }, bucket: 'panoptes-dev-clips', key: "cam 1/a+b(c)!*~'é.jpg", type: 'image/jpeg' },
    { name: 'another region, no response type', env: { AWS_REGION: 'ap-east-1' }, bucket: 'bkt', key: 'x/y/z.mp4' },
    { name: 'path style forced', env: { AWS_REGION: 'eu-west-1', S3_FORCE_PATH_STYLE: 'true' }, bucket: 'bkt', key: 'k.jpg', type: 'video/mp4' },
    { name: 'a bucket with dots (path style, as the SDK falls back to)', env: { AWS_REGION: 'us-east-1' }, bucket: 'my.bucket', key: 'k.jpg' },
    { name: 'an emulator endpoint with a port', env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566' }, bucket: 'panoptes-local-ftp', key: 'site/2026/12/01/08/a.jpg' },
    { name: 'the generic endpoint variable', env: { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://localhost:9000' }, bucket: 'b', key: 'dir/file name.jpg', type: 'image/png' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      for (const k of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'S3_FORCE_PATH_STYLE']) vi.stubEnv(k, '');
      for (const [k, v] of Object.entries(c.env)) vi.stubEnv(k, v);
      const ours = await presignGet(c.bucket, c.key, { expiresIn: 300, signingDate, ...(c.type ? { responseContentType: c.type } : {}) }, credentials);
      expect(ours).toBe(await sdkUrl(c.bucket, c.key, c.type));
      expect(new URL(ours).searchParams.get('X-Amz-Expires')).toBe('300');
    });
  }
});
