import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3 } from '../platform/aws.js';
import { PermanentError } from '../platform/errors.js';
import { CONTENT_TYPE, type ImageType } from './records.js';

/** The stored photos (PHOTOS_BUCKET): what the downloader writes and the analyser reads. */
export function photoObjects(bucket: string) {
  return {
    bucket,
    async put(key: string, bytes: Uint8Array, type: ImageType, meta: { id: number; cameraCode: string }): Promise<void> {
      await s3().send(new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        ContentType: CONTENT_TYPE[type],
        Metadata: { 'photo-id': String(meta.id), 'camera-code': meta.cameraCode },
      }));
    },
    /** The photo's bytes; a missing object is permanent (retrying cannot make it appear). */
    async get(key: string): Promise<Uint8Array> {
      try {
        const obj = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await obj.Body!.transformToByteArray();
      } catch (err) {
        if ((err as Error).name === 'NoSuchKey') throw new PermanentError(`missing: s3://${bucket}/${key} does not exist`);
        throw err;
      }
    },
  };
}
export type PhotoObjects = ReturnType<typeof photoObjects>;
