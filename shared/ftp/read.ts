import * as z from 'zod';
import { decodeCursor as decode } from '../platform/cursor.js';
import { presignGet } from '../platform/presign.js';
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

export { encodeCursor } from '../platform/cursor.js';

/** Only string key attributes of the history index: anything else is not a cursor we issued. */
const keySchema = z.partialRecord(z.enum(['fileName', 'deviceId', 'captureTime']), z.string());

export const decodeCursor = (text: string): Record<string, unknown> | undefined => decode(text, keySchema);
