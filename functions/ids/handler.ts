import { httpHandler, json } from '../../shared/platform/http/stack.js';
import * as api from '../../shared/api/core.js';
import { nextIds } from '../../shared/ids/index.js';

/** POST /ids/{key}?count=N → { key, ids } */
export const handler = httpHandler(api.ids, async ({ path, query }) =>
  json(200, { key: path.key, ids: await nextIds(path.key, query.count) }),
);
