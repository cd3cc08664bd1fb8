import { migrateMessage } from '../../shared/ftp/enqueue.js';
import { BusyError, migrateDeps, migrateFile } from '../../shared/ftp/migrate.js';
import { ftpRuntime } from '../../shared/ftp/runtime.js';
import { logger } from '../../shared/platform/logger.js';
import { sqsHandler } from '../../shared/platform/sqs/stack.js';

const deps = migrateDeps(ftpRuntime());

/**
 * ftp-migrate consumer: one file per message, FTP → S3 → index switch (shared/ftp/migrate.ts).
 * Failures (FTP down, size/checksum mismatch, a worker holding the file) retry with backoff and
 * end in the DLQ; a file already in S3 is acknowledged without work.
 */
export const handler = sqsHandler({ body: migrateMessage, backoff: { baseSeconds: 2, maxSeconds: 60 } }, async ({ body, receiveCount }) => {
  const r = await migrateFile(deps, body);
  if (r.status === 'busy') throw new BusyError(r.fileName);
  if (r.status === 'migrated') logger.info('migrated', { fileName: r.fileName, size: r.size, version: r.version, receiveCount });
});
