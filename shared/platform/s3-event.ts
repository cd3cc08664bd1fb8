import type { S3EventRecord } from 'aws-lambda';

/** The object key of an S3 event record: S3 URL-encodes keys in events, spaces as '+'. */
export function objectKey(r: S3EventRecord): string {
  return decodeURIComponent(r.s3.object.key.replace(/\+/g, ' '));
}
