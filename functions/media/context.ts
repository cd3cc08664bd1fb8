import { z } from 'zod';
import { ddb, s3 } from '../../shared/aws.js';
import { nextId } from '../../shared/ids/index.js';
import { mediaSettings } from '../../shared/media-store/config.js';
import { FILE_ID_PATTERN, FILE_SEQ_KEY } from '../../shared/media-store/ids.js';
import { MediaStore } from '../../shared/media-store/store.js';

/** What every media handler shares: settings read at cold start and the store built on them. */
export const settings = mediaSettings();
export const store = new MediaStore({ ...settings.store, ddb: ddb(), s3: s3(), nextSeq: () => nextId(FILE_SEQ_KEY) });

export const fileIdPath = z.object({
  fileId: z.string().regex(FILE_ID_PATTERN, 'fileId is malformed (21 characters of 0-9 and a-z, as returned by POST /media/uploads)'),
});

/** appId and userId: what the router and the byUser index are keyed on. */
export const nameField = (what: string) =>
  z.string({ error: (i) => (i.input === undefined ? `${what} is required` : `${what} must be a string`) }).regex(/^[A-Za-z0-9_.@-]{1,128}$/, `${what} must be 1-128 of [A-Za-z0-9_.@-]`);
