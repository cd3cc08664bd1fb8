/**
 * The rule set a camera is configured with (body of `PUT /cameras/{cameraId}/rules`).
 *
 * Coordinates are image pixels of the camera's frames: [x, y], x to the right, y DOWN, both ≥ 0.
 * Objects are strict (unknown keys are errors) so a typo such as `secnods` is reported instead
 * of being silently ignored.
 */
import { z } from 'zod';
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

export const zoneRuleSchema = z.strictObject({
  id: ruleId,
  type: z.literal('zone'),
  name,
  polygon,
});

/** Fires for a track that has been inside the polygon continuously for at least `seconds`. */
export const loiteringRuleSchema = z.strictObject({
  id: ruleId,
  type: z.literal('loitering'),
  name,
  polygon,
  seconds: seconds('positive'),
});

/**
 * Fires once per crossing of the segment from→to. `direction` is relative to the segment's
 * orientation: stand at `from`, look towards `to` on the displayed image; 'left-to-right' is a
 * move from the half-plane on your left to the one on your right. So for a vertical line drawn
 * bottom→top, 'left-to-right' is screen-left → screen-right; for a horizontal line drawn
 * screen-left → screen-right, 'left-to-right' is moving downwards on screen. 'any' = either way.
 */
export const lineRuleSchema = z
  .strictObject({
    id: ruleId,
    type: z.literal('line'),
    name,
    from: point,
    to: point,
    direction: z.enum(['left-to-right', 'right-to-left', 'any'], {
      error: expected("'left-to-right', 'right-to-left' or 'any'"),
    }),
  })
  .superRefine((r, ctx) => {
    if (r.from[0] === r.to[0] && r.from[1] === r.to[1]) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'line has zero length (from == to)' });
    }
  });

/** Fires while at least `minCount` tracks have been inside the polygon for at least `seconds`. */
export const crowdingRuleSchema = z.strictObject({
  id: ruleId,
  type: z.literal('crowding'),
  name,
  polygon,
  minCount: z
    .number({ error: expected('a finite number') })
    .int('must be an integer')
    .min(1, 'must be ≥ 1')
    .max(1000, 'must be ≤ 1000'),
  seconds: seconds('non-negative'),
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
