import * as z from 'zod';

/** Path parameter `{id}` of the photo endpoints. */
export const idParam = z.object({ id: z.string().regex(/^\d{1,15}$/, 'id must be a positive integer').transform(Number) });
