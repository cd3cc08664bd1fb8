/** Request bodies of the search API (zod; errors name the field). */
import * as z from 'zod';

/** S3 keys: 1..1024 bytes; no leading '/' (an easy mistake that names a different key). */
export const imageKey = z
  .string()
  .min(1)
  .refine((k) => Buffer.byteLength(k) <= 1024, 'at most 1024 bytes')
  .refine((k) => !k.startsWith('/'), 'must not start with /');

const oneOf = <T extends Record<string, unknown>>(fields: (keyof T & string)[]) => (b: T, ctx: z.RefinementCtx) => {
  const given = fields.filter((f) => b[f] !== undefined);
  if (given.length !== 1) {
    ctx.addIssue({ code: 'custom', path: [given[1] ?? fields[0]!], message: `give exactly one of ${fields.join(', ')}` });
  }
};

export const extractBody = z
  .object({ imageKey: imageKey.optional(), imageUrl: z.string().url().max(2048).optional() })
  .strict()
  .superRefine(oneOf(['imageKey', 'imageUrl']));

export const MAX_BATCH = 10_000;

export const batchBody = z.object({ imageKeys: z.array(imageKey).min(1).max(MAX_BATCH) }).strict();

export const searchBody = z
  .object({
    imageKey: imageKey.optional(),
    imageBase64: z.string().min(1).optional(),
    k: z.number().int().min(1).max(100).default(10),
    minScore: z.number().min(-1).max(1).optional(),
  })
  .strict()
  .superRefine(oneOf(['imageKey', 'imageBase64']));

export const jobPath = z.object({ jobId: z.string().regex(/^[0-9]{1,20}$/, 'not a job id') });

/** Greedy path parameter: API Gateway hands it over decoded; a client may also have encoded the slashes. */
export const deletePath = z.object({
  imageKey: z.string().min(1).transform((k, ctx) => {
    let key = k;
    if (/%[0-9A-Fa-f]{2}/.test(k)) {
      try {
        key = decodeURIComponent(k);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'bad percent-encoding' });
        return z.NEVER;
      }
    }
    const r = imageKey.safeParse(key);
    if (!r.success) {
      ctx.addIssue({ code: 'custom', message: r.error.issues[0]?.message ?? 'invalid' });
      return z.NEVER;
    }
    return key;
  }),
});
