import { presignGet } from '../presign.js';
import type { ImageItem, Location } from './images.js';

/**
 * "File name → URL" for readers (the seed's Dubbo lookup): the presigned S3 URL once the index
 * points at S3, the FTP URL before. Both always work: the FTP copy is kept for the retention
 * period after the switch, longer than any presigned FTP-era answer could still be in use.
 */
export interface ImageView {
  fileName: string;
  deviceId: string;
  location: Location;
  url: string;
  kind: ImageItem['kind'];
  captureTime: string;
  size?: number;
  md5?: string;
}

export async function urlFor(item: ImageItem, bucket: string, expiresSec: number): Promise<string> {
  if (item.location === 's3' && item.s3Key) {
    return presignGet(bucket, item.s3Key, { expiresIn: expiresSec });
  }
  return item.ftpUrl;
}

export async function view(item: ImageItem, bucket: string, expiresSec: number): Promise<ImageView> {
  return {
    fileName: item.fileName,
    deviceId: item.deviceId,
    location: item.location,
    url: await urlFor(item, bucket, expiresSec),
    kind: item.kind,
    captureTime: item.captureTime,
    ...(item.size !== undefined ? { size: item.size } : {}),
    ...(item.md5 ? { md5: item.md5 } : {}),
  };
}

/** Opaque paging cursor (the DynamoDB key, base64url JSON). */
export const encodeCursor = (key: Record<string, unknown>) => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    // Only string key attributes of this index: anything else is not a cursor we issued.
    const ok = Object.entries(v).every(([k, x]) => ['fileName', 'deviceId', 'captureTime'].includes(k) && typeof x === 'string');
    return ok ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
