import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GroupConfig } from './groups.js';
import type { MediaObjects } from './objects.js';
import { S3_MAX_SINGLE_PUT } from './plan.js';
import { filesRepo, groupsRepo, routesRepo, type FilesRepo, type GroupsRepo, type RoutesRepo } from './repo.js';

export interface MediaStoreOptions {
  ddb: DynamoDBDocumentClient;
  /** Object side: s3Objects(s3()) or, for link-only functions, linkObjects. */
  objects: MediaObjects;
  filesTable: string;
  groupsTable?: string;
  routesTable?: string;
  /** Groups from configuration, seeded into the groups table at first use. */
  groups?: GroupConfig[];
  /** Next unique sequence number (the ID allocator). */
  nextSeq?: () => Promise<number>;
  /** Files above this size are uploaded in parts (default 64 MiB). */
  multipartThreshold?: number;
  /** Lifetime of presigned download URLs (default 15 min). */
  downloadUrlSeconds?: number;
  /** Lifetime of presigned upload URLs (default 6 h). */
  uploadUrlSeconds?: number;
  /** Uploads not completed after this long are swept (default 24 h). */
  abandonAfterSeconds?: number;
  /** Deletes still `deleting` after this long are finished by the sweep (default 5 min). */
  deleteGraceSeconds?: number;
  /** How long a tombstone answers a repeated DELETE (default 30 days). */
  tombstoneSeconds?: number;
  now?: () => number;
  random?: () => number;
}

/** What the media store's use cases take: its repositories, its objects and its limits. */
export interface MediaDeps {
  files: FilesRepo;
  /** Absent in a function that does not touch groups: using it then is a configuration error. */
  groups: GroupsRepo;
  routes: RoutesRepo;
  objects: MediaObjects;
  nextSeq: () => Promise<number>;
  limits: { multipartThreshold: number; downloadUrlSeconds: number; uploadUrlSeconds: number; abandonAfterSeconds: number; deleteGraceSeconds: number };
  now: () => number;
  random: () => number;
}

const MIN = 60;
const DAY = 24 * 60 * MIN;

/** A function given only some tables gets repositories that say so when used, not undefined errors. */
function notConfigured<T extends object>(what: string): T {
  return new Proxy({} as T, { get: () => { throw new Error(`media store: ${what} is not configured for this function`); } });
}

export function mediaDeps(opts: MediaStoreOptions): MediaDeps {
  const now = opts.now ?? Date.now;
  const limits = {
    multipartThreshold: opts.multipartThreshold ?? 64 * 1024 * 1024,
    downloadUrlSeconds: opts.downloadUrlSeconds ?? 15 * MIN,
    uploadUrlSeconds: opts.uploadUrlSeconds ?? 6 * 60 * MIN,
    abandonAfterSeconds: opts.abandonAfterSeconds ?? DAY,
    deleteGraceSeconds: opts.deleteGraceSeconds ?? 5 * MIN,
  };
  if (limits.multipartThreshold > S3_MAX_SINGLE_PUT) throw new Error('multipartThreshold is above what S3 accepts in one PUT (5 GiB)');
  const { ddb } = opts;
  return {
    files: filesRepo({ ddb, table: opts.filesTable, now, tombstoneSeconds: opts.tombstoneSeconds ?? 30 * DAY }),
    groups: opts.groupsTable && opts.groups ? groupsRepo({ ddb, table: opts.groupsTable, groups: opts.groups, now }) : notConfigured(opts.groupsTable ? 'groups' : 'groupsTable'),
    routes: opts.routesTable ? routesRepo({ ddb, table: opts.routesTable, now }) : notConfigured('routesTable'),
    objects: opts.objects,
    nextSeq: opts.nextSeq ?? (() => { throw new Error('media store: nextSeq is not configured for this function'); }),
    limits,
    now,
    random: opts.random ?? Math.random,
  };
}
