import { mediaDeps, type MediaDeps, type MediaStoreOptions } from './deps.js';
import { deleteFile, sweep } from './deletes.js';
import { downloadUrl, listFiles, readRange, visible } from './reads.js';
import { routeOf } from './route.js';
import { completeUpload, createUpload } from './uploads.js';

export type { MediaStoreOptions } from './deps.js';
export type { FileRecord, FileStatus, FileView, MediaCaller } from './records.js';
export type { NewUpload, UploadTicket } from './uploads.js';

/**
 * The media store (seed 001 on S3 + DynamoDB): its use cases (uploads.ts, reads.ts, deletes.ts,
 * route.ts) bound to the repositories built from `opts`, so a handler or the bench builds it once.
 */
export function mediaStore(opts: MediaStoreOptions) {
  const d: MediaDeps = mediaDeps(opts);
  return {
    ensureGroups: () => d.groups.ensure(),
    listGroups: () => d.groups.list(),
    routeOf: (...a: Rest<typeof routeOf>) => routeOf(d, ...a),
    createUpload: (...a: Rest<typeof createUpload>) => createUpload(d, ...a),
    completeUpload: (...a: Rest<typeof completeUpload>) => completeUpload(d, ...a),
    getRecord: (fileId: string) => d.files.get(fileId),
    visible: (...a: Rest<typeof visible>) => visible(d, ...a),
    downloadUrl: (...a: Rest<typeof downloadUrl>) => downloadUrl(d, ...a),
    readRange: (...a: Rest<typeof readRange>) => readRange(d, ...a),
    listFiles: (...a: Rest<typeof listFiles>) => listFiles(d, ...a),
    deleteFile: (...a: Rest<typeof deleteFile>) => deleteFile(d, ...a),
    sweep: (...a: Rest<typeof sweep>) => sweep(d, ...a),
    /** Its repositories, for what only a test does (a crash between two steps). */
    deps: d,
  };
}
export type MediaStore = ReturnType<typeof mediaStore>;

/** A use case's arguments after its dependencies. */
type Rest<F> = F extends (d: never, ...rest: infer R) => unknown ? R : never;
