import { httpHandler, json } from '../../shared/platform/http/stack.js';
import { linkObjects } from '../../shared/media-store/links.js';
import { storeWith } from './context.js';
import * as api from '../../shared/api/media.js';

const store = storeWith(linkObjects);

/** GET /groups → { groups: [{ name, bucket, status, files, bytes }] } */
export const list = httpHandler(api.groups, async () => json(200, { groups: await store.listGroups() }));
