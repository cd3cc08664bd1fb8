import * as z from 'zod';
import { badRequest, type ErrorDetail } from '../platform/errors.js';
import { issuesToDetails } from '../platform/validation.js';
import { dedupPk } from './records.js';
import { parseTime } from './time.js';

/**
 * Validation of POST /photos (pure). A body is one announcement or an array of 1..100; each item is
 * judged on its own, so a batch can be partly accepted.
 */
export const MAX_BATCH = 100;
export const MAX_URL_BYTES = 2048;
export const MAX_FUTURE_MS = 5 * 60_000;
/** 100 items with 2 KB URLs fit comfortably; anything bigger is refused unread. */
export const MAX_BODY_BYTES = 256 * 1024;
export const CAMERA_CODE_RE = /^[A-Za-z0-9_-]{1,64}$/;

export interface PhotoInput {
  /** The camera (clips call it cameraId too); stored as the record's `cameraCode` attribute. */
  cameraCode: string;
  photoUrl: string;
  callTime: number;
  dedupKey: string;
}

export type ItemResult = { ok: true; value: PhotoInput } | { ok: false; message: string; details: ErrorDetail[] };

export interface ParsedIntake {
  batch: boolean;
  items: ItemResult[];
}

/** One photo announcement (body of POST /photos, alone or in an array); `now` bounds callTime. */
export function itemSchema(now: number) {
  return z.object({
    photoUrl: z
      .string({ message: 'photoUrl is required (string)' })
      .refine((s) => Buffer.byteLength(s) <= MAX_URL_BYTES, `photoUrl must be at most ${MAX_URL_BYTES} bytes`)
      .refine((s) => {
        try {
          const u = new URL(s);
          return (u.protocol === 'http:' || u.protocol === 'https:') && Boolean(u.hostname);
        } catch {
          return false;
        }
      }, 'photoUrl must be an http(s) URL'),
    // One camera identity across photos and clips: `cameraId`; the seed's `cameraCode` is an alias.
    cameraId: cameraField('cameraId').optional(),
    cameraCode: cameraField('cameraCode').optional(),
    callTime: z
      .union([z.string(), z.number()], { message: 'callTime is required (ISO 8601 string or epoch ms)' })
      .transform((v, ctx) => {
        const t = parseTime(v);
        if (!t.ok) {
          ctx.addIssue({ code: 'custom', message: `callTime ${t.message}` });
          return z.NEVER;
        }
        if (t.ms > now + MAX_FUTURE_MS) {
          ctx.addIssue({ code: 'custom', message: 'callTime is more than 5 minutes in the future' });
          return z.NEVER;
        }
        return t.ms;
      }),
  }).superRefine((v, ctx) => {
    if (v.cameraId === undefined && v.cameraCode === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cameraId'], message: 'cameraId is required (string; cameraCode is accepted as an alias)' });
    } else if (v.cameraId !== undefined && v.cameraCode !== undefined && v.cameraId !== v.cameraCode) {
      ctx.addIssue({ code: 'custom', path: ['cameraCode'], message: 'cameraCode is an alias of cameraId: give one, or the same value' });
    }
  });
}

const cameraField = (name: string) =>
  z.string({ message: `${name} must be a string` }).regex(CAMERA_CODE_RE, `${name} must be 1-64 of [A-Za-z0-9_-]`);

function parseItem(schema: ReturnType<typeof itemSchema>, v: unknown, where: string): ItemResult {
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    return { ok: false, message: `invalid ${where}: must be an object`, details: [{ path: where, message: 'must be an object' }] };
  }
  const r = schema.safeParse(v);
  if (!r.success) {
    const details = issuesToDetails(r.error.issues, where);
    return { ok: false, message: `invalid ${details[0]!.path}: ${details[0]!.message}`, details };
  }
  const { photoUrl, callTime } = r.data;
  const cameraCode = (r.data.cameraId ?? r.data.cameraCode)!;
  return { ok: true, value: { cameraCode, photoUrl, callTime, dedupKey: dedupPk(cameraCode, photoUrl, callTime) } };
}

/** Throws a 400 for a body that is not an announcement or array of them at all. */
export function parseIntake(raw: Buffer | undefined, now: number): ParsedIntake {
  if (!raw || raw.length === 0) throw badRequest('request body is required (JSON)', [{ path: 'body', message: 'required' }]);
  if (raw.length > MAX_BODY_BYTES) {
    throw badRequest(`request body is ${raw.length} bytes; at most ${MAX_BODY_BYTES} accepted`, [{ path: 'body', message: `at most ${MAX_BODY_BYTES} bytes` }]);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('request body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
  }
  const schema = itemSchema(now);
  if (Array.isArray(body)) {
    if (body.length === 0) throw badRequest('body array is empty: send 1 to 100 photos', [{ path: 'body', message: 'must not be empty' }]);
    if (body.length > MAX_BATCH) {
      throw badRequest(`body array has ${body.length} items; at most ${MAX_BATCH} accepted`, [{ path: 'body', message: `at most ${MAX_BATCH} items` }]);
    }
    return { batch: true, items: body.map((v, i) => parseItem(schema, v, `body.${i}`)) };
  }
  const one = parseItem(schema, body, 'body');
  if (!one.ok) throw badRequest(one.message, one.details);
  return { batch: false, items: [one] };
}
