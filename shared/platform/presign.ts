import { createHash, createHmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';
import { region, s3Endpoint, s3PathStyle } from './aws.js';

/**
 * Presigned S3 GET URLs without the S3 client: the same URL `getSignedUrl(s3(), new GetObjectCommand(…))`
 * gives (test/unit/presign.test.ts compares them), signed by the SDK's own SignatureV4 with the default
 * credential chain, which every function already bundles through its DynamoDB client. A handler that
 * only hands out links (alarms, FTP image index, camera snapshots) so starts without the S3 client and
 * its XML protocol, checksums and presigner: ~170 KiB and ~40 ms less import time (issue 16).
 * Endpoints follow shared/platform/aws.ts: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL (path style), else
 * `s3.<region>.amazonaws.com`, path style when S3_FORCE_PATH_STYLE is set or the bucket has dots.
 */
export interface PresignOptions {
  expiresIn: number;
  /** `response-content-type`: S3 answers with this Content-Type whatever the uploader sent. */
  responseContentType?: string;
  /**
   * `x-amz-checksum-mode=ENABLED`, which the SDK adds to a GetObject (default true, so the URL is the
   * SDK's). The media store drops it, as its SDK presigner always did (shared/media-store/objects.ts).
   */
  checksumMode?: boolean;
  /** Fixed signing time (tests). */
  signingDate?: Date;
}

/** node:crypto as the signer's SHA-256 (what the SDK's Node hash does too). */
const bytes = (d: SourceData) => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));
class Sha256 implements Checksum {
  private hash;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** encodeURIComponent plus the characters RFC 3986 reserves that it leaves (the SDK's path encoding). */
const encodeSegment = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

let chain: AwsCredentialIdentityProvider | undefined;
const signers = new Map<string, SignatureV4>();

/** One signer per region over the memoized default chain (refreshed before the credentials expire). */
function signer(signingRegion: string, creds?: AwsCredentialIdentity): SignatureV4 {
  const make = (credentials: AwsCredentialIdentityProvider) => new SignatureV4({ service: 's3', region: signingRegion, credentials, sha256: Sha256, uriEscapePath: false });
  if (creds) return make(async () => creds);
  chain ??= memoizeIdentityProvider(defaultProvider(), isIdentityExpired, doesIdentityRequireRefresh) as AwsCredentialIdentityProvider;
  let s = signers.get(signingRegion);
  if (!s) signers.set(signingRegion, (s = make(chain)));
  return s;
}

/** A presigned GET URL of `bucket/key`. `creds` only for tests (else the default chain). */
export async function presignGet(bucket: string, key: string, options: PresignOptions, creds?: AwsCredentialIdentity): Promise<string> {
  const r = region();
  const endpoint = s3Endpoint();
  const base = new URL(endpoint ?? `https://s3.${r}.amazonaws.com`);
  const pathStyle = Boolean(endpoint) || s3PathStyle() || bucket.includes('.');
  const hostname = pathStyle ? base.hostname : `${bucket}.${base.hostname}`;
  const host = base.port ? `${hostname}:${base.port}` : hostname;
  const path = `${base.pathname.replace(/\/$/, '')}${pathStyle ? `/${bucket}` : ''}/${key.split('/').map(encodeSegment).join('/')}`;
  const query: Record<string, string> = { 'x-id': 'GetObject', ...(options.checksumMode === false ? {} : { 'x-amz-checksum-mode': 'ENABLED' }) };
  if (options.responseContentType) query['response-content-type'] = options.responseContentType;
  const signed = await signer(r, creds).presign(
    {
      method: 'GET', protocol: base.protocol, hostname, ...(base.port ? { port: Number(base.port) } : {}), path, query,
      headers: { host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' }, // hoisted into the query, as the SDK's presigner does
    },
    { expiresIn: options.expiresIn, ...(options.signingDate ? { signingDate: options.signingDate } : {}) },
  );
  const search = Object.entries(signed.query ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeSegment(k)}=${encodeSegment(String(v))}`)
    .join('&');
  return `${base.protocol}//${host}${path}?${search}`;
}
