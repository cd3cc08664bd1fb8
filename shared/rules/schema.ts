/**
 * The rule set a camera is configured with (body of `PUT /cameras/{cameraId}/rules`).
 *
 * Coordinates are image pixels of the camera's frames: [x, y], x to the right, y DOWN, both ≥ 0.
 * Objects are strict (unknown keys are errors) so a typo such as `secnods` is reported instead
 * of being silently ignored.
 */
import * as z from 'zod';
import { normalizeRing, validatePolygon } from './geometry.js';

export const MAX_RULES = 50;
export const MAX_POLYGON_POINTS = 100; // bounds the O(n²) self-intersection check and stored size
export const RULE_TYPES = ['zone', 'loitering', 'line', 'crowding'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

// zod 4 numbers already reject NaN and ±Infinity.
/** Error message for a schema's own type check: "is required" when the field is absent. */
export const expected = (what: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? 'is required' : `must be ${what}`;

const coordinate = z.number({ error: expected('a finite number') }).min(0, 'must be ≥ 0');

const point = z.tuple([coordinate, coordinate], { error: expected('a point [x, y]') });

/** A simple polygon in image pixels (≥ 3 points, no self-intersection); also a camera's detector regions. */
export const polygon = z
  .array(point, { error: expected('an array of points [[x, y], ...]') })
  .min(3, 'polygon needs at least 3 points')
  .max(MAX_POLYGON_POINTS, `polygon has more than ${MAX_POLYGON_POINTS} points`)
  .superRefine((pts, ctx) => {
    if (pts.length < 3) return; // already reported by .min()
    const v = validatePolygon(pts);
    if (!v.ok) ctx.addIssue({ code: 'custom', message: v.reason });
  })
  // Stored without an explicit closing vertex, so every consumer sees distinct vertices.
  .transform((pts) => normalizeRing(pts) as [number, number][]);

// Ids are restricted to a safe alphabet because they become part of alarm incident keys
// ("<ruleId>#t<trackId>...") and DynamoDB sort keys; '#' can therefore never appear in an id.
const ruleId = z
  .string({ error: expected('a string') })
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of A–Z a–z 0–9 _ . -');

const name = z.string().max(200).optional();

const seconds = (min: 'positive' | 'non-negative') =>
  z
    .number({ error: expected('a finite number') })
    .refine(
      (v) => (min === 'positive' ? v > 0 : v >= 0),
      min === 'positive' ? 'must be > 0' : 'must be ≥ 0',
    )
    .refine((v) => v <= 86_400, 'must be ≤ 86400 (one day)');

const count = (what: string, max: number) =>
  z.number({ error: expected('a finite number') }).int('must be an integer').min(0, 'must be ≥ 0').max(max, `must be ≤ ${max}`).describe(what);
const pixels = z.number({ error: expected('a finite number') }).min(0, 'must be ≥ 0');
const ratio = z.number({ error: expected('a finite number') }).positive('must be > 0').max(100, 'must be ≤ 100');

export const MAX_MASKS = 20;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const clock = z.string({ error: expected('a time "HH:MM"') }).regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time "HH:MM" (00:00–24:00)');

/**
 * False-positive controls, on the rule set (every rule of the camera) and on a rule (overrides).
 * They judge the tracked person of each frame: its detection's score and box (area px², aspect h/w),
 * its ground point against `masks`, and `inertia` — the track must have been matched in that many
 * consecutive sampled frames before a rule sees it at all (a flicker of a sign never counts).
 */
export const filterShape = {
  minScore: z.number({ error: expected('a finite number') }).min(0, 'must be ≥ 0').max(1, 'must be ≤ 1').optional(),
  minArea: pixels.optional(),
  maxArea: pixels.optional(),
  minAspect: ratio.optional(),
  maxAspect: ratio.optional(),
  inertia: count('consecutive frames', 100).optional(),
  masks: z.array(polygon, { error: expected('an array of polygons') }).max(MAX_MASKS, `at most ${MAX_MASKS} masks`).optional(),
};
export type Filters = { [K in keyof typeof filterShape]?: z.infer<(typeof filterShape)[K]> };

/**
 * When a rule may raise alarms, in the camera's time zone: any listed range of any listed day.
 * `from` > `to` is an overnight range (22:00–06:00 belongs to the day it starts on). Counting goes on
 * outside the hours; only alarms wait.
 */
export const activeHoursSchema = z
  .array(
    z.strictObject({
      days: z.array(z.enum(WEEKDAYS, { error: expected(`one of ${WEEKDAYS.join(', ')}`) })).min(1, 'needs at least one day').max(7),
      from: clock,
      to: clock,
    }).refine((r) => r.from !== r.to, { message: 'from and to are equal (empty range)', path: ['to'] }),
    { error: expected('an array of { days, from, to }') },
  )
  .min(1, 'needs at least one range (omit activeHours for always)')
  .max(28);

/** Options every rule type has: false-positive controls, schedule, alarm grouping. */
const common = {
  id: ruleId,
  name,
  ...filterShape,
  activeHours: activeHoursSchema.optional(),
  /**
   * While an alarm of this rule is open, or closed less than this many seconds ago, new incidents
   * join it (its trackIds grow, `incidents` counts them, one push) instead of raising their own.
   */
  cooldownSeconds: seconds('non-negative').optional(),
};

const checkBounds = (r: Filters, ctx: z.RefinementCtx) => {
  if (r.minArea !== undefined && r.maxArea !== undefined && r.minArea > r.maxArea) {
    ctx.addIssue({ code: 'custom', path: ['maxArea'], message: 'must be ≥ minArea' });
  }
  if (r.minAspect !== undefined && r.maxAspect !== undefined && r.minAspect > r.maxAspect) {
    ctx.addIssue({ code: 'custom', path: ['maxAspect'], message: 'must be ≥ minAspect' });
  }
};

/** Fires for a track inside the polygon (after `minDurationSeconds` there, default at once). */
export const zoneRuleSchema = z.strictObject({
  ...common,
  type: z.literal('zone'),
  polygon,
  minDurationSeconds: seconds('non-negative').optional(),
}).superRefine(checkBounds);

/** Fires for a track that has been inside the polygon continuously for at least `seconds`. */
export const loiteringRuleSchema = z.strictObject({
  ...common,
  type: z.literal('loitering'),
  polygon,
  seconds: seconds('positive'),
}).superRefine(checkBounds);

/**
 * Fires once per crossing of the segment from→to. `direction` is relative to the segment's
 * orientation: stand at `from`, look towards `to` on the displayed image; 'left-to-right' is a
 * move from the half-plane on your left to the one on your right. So for a vertical line drawn
 * bottom→top, 'left-to-right' is screen-left → screen-right; for a horizontal line drawn
 * screen-left → screen-right, 'left-to-right' is moving downwards on screen. 'any' = either way.
 *
 * `count: true` makes it a counting line: each crossing adds to the camera's flow series, `in` for
 * left-to-right and `out` for right-to-left (see docs/clips.md). A counting line raises alarms only
 * with `alarm: true`, and `direction` then only filters those alarms. `hysteresis` (px) is a band
 * around the line inside which a track keeps the side it had, so jitter on the line is one crossing
 * at most (10 px by default on counting lines, 0 otherwise).
 */
export const DEFAULT_COUNT_HYSTERESIS_PX = 10;
export const lineRuleSchema = z
  .strictObject({
    ...common,
    type: z.literal('line'),
    from: point,
    to: point,
    direction: z.enum(['left-to-right', 'right-to-left', 'any'], {
      error: expected("'left-to-right', 'right-to-left' or 'any'"),
    }).optional(),
    count: z.boolean({ error: expected('true or false') }).optional(),
    alarm: z.boolean({ error: expected('true or false') }).optional(),
    hysteresis: pixels.max(500, 'must be ≤ 500').optional(),
  })
  .superRefine((r, ctx) => {
    checkBounds(r, ctx);
    if (r.from[0] === r.to[0] && r.from[1] === r.to[1]) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'line has zero length (from == to)' });
    }
    if (r.direction === undefined && r.count !== true) {
      ctx.addIssue({ code: 'custom', path: ['direction'], message: "is required (one of 'left-to-right', 'right-to-left', 'any') unless count is true" });
    }
  });

/** Fires while at least `minCount` tracks have been inside the polygon for at least `seconds`. */
/**
 * `clearBelow`/`clearSeconds` are its hysteresis: once an episode has begun it lasts until fewer than
 * `clearBelow` (default minCount) people have been inside for `clearSeconds` (default 0), so a crowd
 * that hovers around minCount is one alarm, not one per dip.
 */
export const crowdingRuleSchema = z.strictObject({
  ...common,
  type: z.literal('crowding'),
  polygon,
  minCount: z
    .number({ error: expected('a finite number') })
    .int('must be an integer')
    .min(1, 'must be ≥ 1')
    .max(1000, 'must be ≤ 1000'),
  seconds: seconds('non-negative'),
  clearBelow: count('people', 1000).optional(),
  clearSeconds: seconds('non-negative').optional(),
}).superRefine((r, ctx) => {
  checkBounds(r, ctx);
  if (r.clearBelow !== undefined && r.clearBelow > r.minCount) {
    ctx.addIssue({ code: 'custom', path: ['clearBelow'], message: 'must be ≤ minCount' });
  }
});

export const ruleSchema = z.discriminatedUnion(
  'type',
  [zoneRuleSchema, loiteringRuleSchema, lineRuleSchema, crowdingRuleSchema],
  {
    error: (iss) => {
      if (iss.code !== 'invalid_union') return undefined;
      const t = (iss.input as { type?: unknown } | undefined)?.type;
      return t === undefined
        ? `is required (one of ${RULE_TYPES.join(', ')})`
        : `unknown rule type ${JSON.stringify(t)} (expected one of ${RULE_TYPES.join(', ')})`;
    },
  },
);

export const ruleSetSchema = z
  .strictObject(
    {
      rules: z
        .array(ruleSchema, { error: expected('an array of rules') })
        .max(MAX_RULES, `at most ${MAX_RULES} rules`),
      /** False-positive controls for every rule of the camera; a rule's own values win. */
      filters: z.strictObject(filterShape, { error: expected('an object') }).superRefine(checkBounds).optional(),
    },
    {
      error: (iss) =>
        iss.code === 'invalid_type' ? 'body must be an object { "rules": [...] }' : undefined,
    },
  )
  .superRefine((set, ctx) => {
    const firstIndex = new Map<string, number>();
    set.rules.forEach((r, i) => {
      const prev = firstIndex.get(r.id);
      if (prev === undefined) firstIndex.set(r.id, i);
      else {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'id'],
          message: `duplicate rule id '${r.id}' (same as rules.${prev}.id)`,
        });
      }
    });
  });

export type ZoneRule = z.infer<typeof zoneRuleSchema>;
export type LoiteringRule = z.infer<typeof loiteringRuleSchema>;
export type LineRule = z.infer<typeof lineRuleSchema>;
export type CrowdingRule = z.infer<typeof crowdingRuleSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RuleSet = z.infer<typeof ruleSetSchema>;

export interface RuleSetErrorDetail {
  /** Dotted path of the offending field, e.g. `rules.0.polygon`; '' for the body itself. */
  path: string;
  message: string;
}

export type ParseRuleSetResult =
  | { ok: true; value: RuleSet }
  | { ok: false; details: RuleSetErrorDetail[] };

/** Validates an untrusted rule set (e.g. a parsed request body). Never throws. */
export function parseRuleSet(input: unknown): ParseRuleSetResult {
  const r = ruleSetSchema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  return {
    ok: false,
    details: r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  };
}

/** `rules.0.polygon: polygon is self-intersecting` — one line per detail, for logs and 400 bodies. */
export function formatRuleSetErrors(details: readonly RuleSetErrorDetail[]): string {
  return details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
}
