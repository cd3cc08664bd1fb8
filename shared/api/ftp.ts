import * as z from 'zod';
import { MAX_NOTIFY_ITEMS } from '../ftp/enqueue.js';
import { DEVICE_ID, FILE_NAME, KINDS } from '../ftp/layout.js';
import { error, ok, route } from './route.js';

export const notifyItem = z.object({ server: z.string().min(1).max(64), path: z.string().min(1).max(1024) }).strict();
export const notifyItems = z.array(notifyItem).min(1, 'at least one item').max(MAX_NOTIFY_ITEMS, `at most ${MAX_NOTIFY_ITEMS} items`);

export const notify = route({
  method: 'POST', url: '/ftp/notify', operationId: 'ftpNotify', tag: 'ftp', auth: 'apiKey',
  summary: 'Files that appeared on an FTP server: registered in the index and queued for migration to S3',
  description: 'All items are validated first (known server, inside its root, no `..`, the camera layout); one bad item refuses the whole request and nothing is queued.',
  // One item or an array, each validated by its own schema (errors name the actual problem).
  body: z.unknown(), documentBody: z.union([notifyItem, notifyItems]), maxBodyBytes: 512 * 1024,
  responses: { 202: ok('queued', z.object({ status: z.literal('queued'), queued: z.number().int(), registered: z.number().int() })) },
});

const fileName = z.string().regex(FILE_NAME, 'fileName must look like yyyy_MM_dd_HH_mm_ss_seq_n.jpg|json');
export const deviceId = z.string().regex(DEVICE_ID, 'deviceId must be 1-64 of [A-Za-z0-9_-]');

const imageView = z.object({
  fileName: z.string(),
  deviceId: z.string(),
  location: z.enum(['ftp', 's3']),
  url: z.string(),
  kind: z.enum(KINDS as [string, ...string[]]),
  captureTime: z.string(),
  size: z.number().int().optional(),
  md5: z.string().optional(),
}).meta({ id: 'Image' });

const byName = { path: z.object({ fileName }), query: z.object({ deviceId: deviceId.optional() }) };
const lookupErrors = { 404: error('no such image'), 409: error('several devices have an image of this name: add ?deviceId=') };

export const getImage = route({
  method: 'GET', url: '/images/{fileName}', operationId: 'getImage', tag: 'ftp', auth: 'apiKey',
  summary: "An image's index entry: where it is (FTP or S3) and a URL",
  ...byName,
  responses: { 200: ok('the image', imageView), ...lookupErrors },
});

export const imageContent = route({
  method: 'GET', url: '/images/{fileName}/content', operationId: 'getImageContent', tag: 'ftp', auth: 'apiKey',
  summary: "Redirect to the image's URL",
  ...byName,
  responses: { 302: { description: 'redirect to the image', headers: { location: 'the URL' } }, ...lookupErrors },
});

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time')
  .transform((s) => new Date(s).toISOString());

export const history = route({
  method: 'GET', url: '/devices/{deviceId}/images', operationId: 'listDeviceImages', tag: 'ftp', auth: 'apiKey',
  summary: "A device's images in a time range, paged",
  path: z.object({ deviceId }),
  query: z.object({
    from: instant.optional(),
    to: instant.optional(),
    kind: z.enum(KINDS as [string, ...string[]]).optional(),
    limit: z.coerce.number().int().min(1, 'limit must be 1-500').max(500, 'limit must be 1-500').default(100),
    cursor: z.string().max(2048).optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
  }),
  responses: { 200: ok('a page of images', z.object({ deviceId: z.string(), items: z.array(imageView), cursor: z.string().optional() })) },
});

const lastRun = { at: z.string(), errors: z.array(z.string()), errorCount: z.number().int() };

export const status = route({
  method: 'GET', url: '/ftp/status', operationId: 'getFtpStatus', tag: 'ftp', auth: 'apiKey',
  summary: 'The last scan of each configured server and the last cleanup (null: not run yet)',
  responses: {
    200: ok('the last runs', z.object({
      scans: z.array(z.object({
        server: z.string(), scan: z.boolean(),
        last: z.looseObject({ ...lastRun, devices: z.number().int(), dirsListed: z.number().int(), queued: z.number().int(), pending: z.number().int(), invalid: z.number().int() }).nullable(),
      })),
      cleanup: z.looseObject({
        ...lastRun, dryRun: z.boolean(), cutoff: z.string(), examined: z.number().int(), deleted: z.number().int(), remigrated: z.number().int(),
        waiting: z.number().int(), failed: z.number().int(), bytesFreed: z.number(), checkpoint: z.string(), locked: z.boolean().optional(),
      }).nullable(),
    }).meta({ id: 'FtpStatus' })),
  },
});
