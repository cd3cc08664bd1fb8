/** Every HTTP route of the API (see route.ts). A unit test checks this list against serverless.yml. */
import type { Route } from './route.js';
import * as clips from './clips.js';
import * as core from './core.js';
import * as docs from './docs.js';
import * as flow from './flow.js';
import * as ftp from './ftp.js';
import * as media from './media.js';
import * as photos from './photos.js';
import * as search from './search.js';

const isRoute = (v: unknown): v is Route<any, any, any> =>
  typeof v === 'object' && v !== null && 'operationId' in v && 'method' in v && 'url' in v && 'responses' in v;

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];

/** Sorted by path, then method: the document's order does not depend on how modules are loaded. */
export const routes: Array<Route<any, any, any>> = [core, docs, photos, media, clips, flow, ftp, search]
  .flatMap((m) => Object.values(m).filter(isRoute))
  .sort((a, b) => (a.url === b.url ? METHODS.indexOf(a.method) - METHODS.indexOf(b.method) : a.url < b.url ? -1 : 1));

export const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
