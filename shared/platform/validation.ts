import type * as z from 'zod';
import { badRequest, type ErrorDetail } from './errors.js';

/** zod issues → field-named details, e.g. `body.cameraCode: Required`. */
export function issuesToDetails(issues: z.core.$ZodIssue[], prefix?: string): ErrorDetail[] {
  return issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '').join('.') || (prefix ?? '(root)'),
    message: i.message,
  }));
}

/** Parses or throws a 400 whose message names the first bad field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = issuesToDetails(r.error.issues, where);
  throw badRequest(`invalid ${details[0]?.path ?? where}: ${details[0]?.message ?? 'invalid'}`, details);
}
