import { httpHandler, json } from '../../shared/http/stack.js';
import { store } from './context.js';

/** GET /groups → { groups: [{ name, bucket, status, files, bytes }] } */
export const list = httpHandler({ auth: 'apiKey' }, async () => json(200, { groups: await store.listGroups() }));
