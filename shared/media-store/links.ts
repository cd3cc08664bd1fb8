import type { MediaObjects } from './objects.js';
import { presignGet } from './objects.js';

/**
 * The media store's objects for the functions that only read records and hand out download links
 * (GET /media/{id}, the listing, the groups): no S3 client in their bundles (issue 16). Anything
 * else is a wiring mistake, said loudly.
 */
const needsS3 = (what: string) => async (): Promise<never> => {
  throw new Error(`${what} needs the S3 client: build this function's store with s3Objects (functions/media/context.ts)`);
};

export const linkObjects: MediaObjects = {
  presignGet,
  presignPut: needsS3('presignPut'),
  presignPart: needsS3('presignPart'),
  createMultipart: needsS3('createMultipart'),
  completeMultipart: needsS3('completeMultipart'),
  abortMultipart: needsS3('abortMultipart'),
  headObject: needsS3('headObject'),
  readRange: needsS3('readRange'),
  deleteObject: needsS3('deleteObject'),
};
