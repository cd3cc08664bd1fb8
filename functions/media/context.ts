import { ddb, s3 } from '../../shared/aws.js';
import { nextId } from '../../shared/ids/index.js';
import { mediaSettings } from '../../shared/media-store/config.js';
import { FILE_SEQ_KEY } from '../../shared/media-store/ids.js';
import { MediaStore } from '../../shared/media-store/store.js';

/** What every media handler shares: settings read at cold start and the store built on them. */
export const settings = mediaSettings();
export const store = new MediaStore({ ...settings.store, ddb: ddb(), s3: s3(), nextSeq: () => nextId(FILE_SEQ_KEY) });
