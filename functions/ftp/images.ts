import { HttpError, badRequest, notFound } from '../../shared/platform/errors.js';
import * as api from '../../shared/api/ftp.js';
import { decodeCursor, encodeCursor, urlFor, view } from '../../shared/ftp/read.js';
import { ftpReadRuntime } from '../../shared/ftp/settings.js';
import { lastRunId } from '../../shared/ftp/state.js';
import type { ImageItem } from '../../shared/ftp/images.js';
import { httpHandler, json } from '../../shared/platform/http/stack.js';

const rt = ftpReadRuntime();
const expires = Math.round(rt.settings.FTP_URL_EXPIRES / 1000);

/** The file's index entry; camera file names are unique per device, so `?deviceId=` settles a clash. */
async function lookup(name: string, device?: string): Promise<ImageItem> {
  if (device) {
    const item = await rt.index.get(name, device);
    if (!item) throw notFound(`no image ${name} of device ${device}`);
    return item;
  }
  const items = await rt.index.find(name);
  if (!items.length) throw notFound(`no image ${name}`);
  if (items.length > 1) {
    throw new HttpError(409, 'Ambiguous', `${items.length} devices have an image ${name}; add ?deviceId=`, items.map((i) => ({ path: 'query.deviceId', message: i.deviceId })));
  }
  return items[0]!;
}

/** GET /images/{fileName}[?deviceId=] → { fileName, location, url } */
export const get = httpHandler(api.getImage, async ({ path, query }) => {
  const item = await lookup(path.fileName, query.deviceId);
  return json(200, await view(item, rt.settings.FTP_BUCKET, expires));
});

/** GET /images/{fileName}/content → 302 to the URL. */
export const content = httpHandler(api.imageContent, async ({ path, query }) => {
  const item = await lookup(path.fileName, query.deviceId);
  const url = await urlFor(item, rt.settings.FTP_BUCKET, expires);
  return { statusCode: 302, headers: { location: url, 'cache-control': 'no-store' } };
});

/** GET /devices/{deviceId}/images?from=&to=&kind=&limit=&cursor=&order= → paged history (the seed's history captures). */
export const history = httpHandler(api.history, async ({ path, query }) => {
  if (query.from && query.to && query.from > query.to) throw badRequest('from must not be after to', [{ path: 'query.from', message: 'after to' }]);
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (query.cursor && (!cursor || cursor.deviceId !== path.deviceId)) throw badRequest('invalid cursor', [{ path: 'query.cursor', message: 'not a cursor of this listing' }]);
  const page = await rt.index.history({
    deviceId: path.deviceId, limit: query.limit, ascending: query.order === 'asc',
    ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}),
    ...(query.kind ? { kind: query.kind as ImageItem['kind'] } : {}), ...(cursor ? { cursor } : {}),
  });
  const items = await Promise.all(page.items.map((i) => view(i, rt.settings.FTP_BUCKET, expires)));
  return json(200, { deviceId: path.deviceId, items, ...(page.cursor ? { cursor: encodeCursor(page.cursor) } : {}) });
});

/** GET /ftp/status → the last scan per configured server and the last cleanup (items the jobs write). */
export const status = httpHandler(api.status, async () => {
  const servers = [...rt.servers.values()];
  const ids = [...servers.map((sv) => lastRunId('scan', sv.name)), lastRunId('cleanup')];
  const got = await rt.state.getMany<Record<string, unknown>>(ids);
  const strip = (item: (Record<string, unknown> & { id: string }) | undefined) => {
    if (!item) return null;
    const { id: _id, ...rest } = item;
    return rest;
  };
  return json(200, {
    scans: servers.map((sv) => ({ server: sv.name, scan: Boolean(sv.scan), last: strip(got.get(lastRunId('scan', sv.name))) })),
    cleanup: strip(got.get(lastRunId('cleanup'))),
  });
});
