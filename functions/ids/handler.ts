import { z } from 'zod';
import { httpHandler, json } from '../../shared/http/stack.js';
import { ID_KEY_PATTERN } from '../../shared/ids/allocator.js';
import { nextIds } from '../../shared/ids/index.js';

const path = z.object({ key: z.string().regex(ID_KEY_PATTERN, 'key must be 1-64 of [A-Za-z0-9_.-]') });
const query = z.object({
  count: z.coerce.number({ message: 'count must be a number' }).int('count must be an integer').min(1, 'count must be between 1 and 1000').max(1000, 'count must be between 1 and 1000').default(1),
});

/** POST /ids/{key}?count=N → { key, ids } */
export const handler = httpHandler({ auth: 'apiKey', path, query }, async ({ path, query }) =>
  json(200, { key: path.key, ids: await nextIds(path.key, query.count) }),
);
