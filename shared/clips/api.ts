/** Request schemas and views shared by the clips HTTP handlers. */
import * as z from 'zod';
import { isCameraId } from './keys.js';

export const cameraPath = z.object({
  cameraId: z.string().refine(isCameraId, 'must be 1–64 characters of A–Z a–z 0–9 _ . - (not "status")'),
});

/** Epoch milliseconds or an ISO 8601 date-time. */
export const timeParam = z.string().transform((s, ctx) => {
  const ms = /^\d{1,15}$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO 8601 date-time' });
    return z.NEVER;
  }
  return ms;
});

export const limitParam = (max: number, def: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(1).max(max)).optional().transform((v) => v ?? def);

export { iso } from '../platform/time.js';

/**
 * What an agent hands to ffmpeg: a camera URL or a file path on the agent's host. ffmpeg also has
 * pseudo-protocols (concat:, subfile:, data:, pipe:, fd:...); anything with a colon that is not one
 * of these URL schemes is refused, as are control characters.
 */
export const SOURCE_SCHEMES = ['rtsp', 'rtsps', 'rtmp', 'rtmps', 'http', 'https', 'srt', 'udp'];
export const cameraSource = z.string().min(1).max(2048)
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters')
  .refine((s) => new RegExp(`^(${SOURCE_SCHEMES.join('|')})://[^\\s]+$`, 'i').test(s) || !s.includes(':'),
    `must be a ${SOURCE_SCHEMES.join('/')} URL or a file path without ':'`);

/** An IANA time zone name the runtime knows (e.g. `Asia/Shanghai`); schedules and daily buckets use it. */
export const timeZoneName = z.string().min(1).max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as "UTC" or "Asia/Shanghai"');
