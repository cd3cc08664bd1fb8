import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS clients, created once per container. Endpoints come from the standard SDK variables
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3 ...), so the same code talks to
 * the local emulators, LocalStack or AWS depending only on the environment.
 */
export const region = (): string => process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';

/** Emulators serve S3 on one host:port, so they need path-style URLs (bucket in the path). */
export const s3PathStyle = (): boolean => process.env.S3_FORCE_PATH_STYLE === 'true' || Boolean(s3Endpoint());
/** The S3 endpoint the SDK would take from the environment, if one is set. */
export const s3Endpoint = (): string | undefined => process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;

let s3Client: S3Client | undefined;
let s3Md5Client: S3Client | undefined;
let sqsClient: SQSClient | undefined;
let snsClient: SNSClient | undefined;
let ddbClient: DynamoDBClient | undefined;
let docClient: DynamoDBDocumentClient | undefined;

export function s3(): S3Client {
  return (s3Client ??= new S3Client({ region: region(), forcePathStyle: s3PathStyle() }));
}
/**
 * Client settings for uploads that carry their own Content-MD5 (the FTP migration): S3 checks the
 * body against it, so the SDK's default CRC32 on top would be a second pass over every byte.
 */
export const MD5_UPLOADS = { requestChecksumCalculation: 'WHEN_REQUIRED' } as const;
export function s3ForMd5Uploads(): S3Client {
  return (s3Md5Client ??= new S3Client({ region: region(), forcePathStyle: s3PathStyle(), ...MD5_UPLOADS }));
}
export function sqs(): SQSClient {
  // Emulators hand out queue URLs on hosts that need not resolve (sqs.<region>.localhost):
  // send to the configured endpoint and let the queue URL name the queue.
  const overridden = Boolean(process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL);
  return (sqsClient ??= new SQSClient({ region: region(), ...(overridden ? { useQueueUrlAsEndpoint: false } : {}) }));
}
export function sns(): SNSClient {
  return (snsClient ??= new SNSClient({ region: region() }));
}
export function dynamo(): DynamoDBClient {
  return (ddbClient ??= new DynamoDBClient({ region: region() }));
}
/** Document client: plain JS values in and out, undefined attributes dropped. */
export function ddb(): DynamoDBDocumentClient {
  return (docClient ??= DynamoDBDocumentClient.from(dynamo(), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
  }));
}
