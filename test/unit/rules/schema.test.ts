import { describe, expect, it } from 'vitest';
import { formatRuleSetErrors, MAX_RULES, parseRuleSet } from '../../../shared/rules/schema.js';

const tri = [
  [0, 0],
  [100, 0],
  [0, 100],
];
const valid = {
  rules: [
    { id: 'door', type: 'zone', name: 'Front door', polygon: tri },
    { id: 'bench', type: 'loitering', polygon: tri, seconds: 30 },
    { id: 'gate', type: 'line', from: [10, 200], to: [10, 0], direction: 'left-to-right' },
    { id: 'lobby', type: 'crowding', polygon: tri, minCount: 3, seconds: 0 },
  ],
};

const withRule = (rule: Record<string, unknown>) => ({ rules: [rule] });
const errorsOf = (input: unknown) => {
  const r = parseRuleSet(input);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.value)}`);
  return r.details;
};

describe('parseRuleSet', () => {
  it('accepts every rule type and returns the parsed value', () => {
    const r = parseRuleSet(valid);
    expect(r).toEqual({ ok: true, value: valid });
    expect(parseRuleSet({ rules: [] })).toEqual({ ok: true, value: { rules: [] } });
  });

  it('drops an explicit closing vertex from polygons', () => {
    const r = parseRuleSet(withRule({ id: 'z', type: 'zone', polygon: [...tri, [0, 0]] }));
    expect(r).toEqual({ ok: true, value: withRule({ id: 'z', type: 'zone', polygon: tri }) });
  });

  it('rejects a self-intersecting (bow-tie) polygon, naming the field', () => {
    const details = errorsOf({
      rules: [valid.rules[0], { id: 'bt', type: 'zone', polygon: [[0, 0], [10, 10], [10, 0], [0, 10]] }],
    });
    expect(details).toEqual([{ path: 'rules.1.polygon', message: 'polygon is self-intersecting' }]);
    expect(formatRuleSetErrors(details)).toBe('rules.1.polygon: polygon is self-intersecting');
  });

  it('rejects empty, too-short and degenerate polygons', () => {
    expect(errorsOf(withRule({ id: 'z', type: 'zone', polygon: [] }))).toEqual([
      { path: 'rules.0.polygon', message: 'polygon needs at least 3 points' },
    ]);
    expect(errorsOf(withRule({ id: 'z', type: 'zone', polygon: [[0, 0], [5, 5], [9, 9]] }))).toEqual([
      { path: 'rules.0.polygon', message: 'polygon has zero area (all points collinear)' },
    ]);
    expect(errorsOf(withRule({ id: 'z', type: 'crowding', polygon: [[0, 0], [5, 5], [5, 5]], minCount: 1, seconds: 0 }))[0]).toMatchObject({
      path: 'rules.0.polygon',
      message: expect.stringContaining('duplicate'),
    });
  });

  it('rejects an unknown or missing rule type at rules.N.type', () => {
    expect(errorsOf(withRule({ id: 'x', type: 'teleport', polygon: tri }))).toEqual([
      { path: 'rules.0.type', message: 'unknown rule type "teleport" (expected one of zone, loitering, line, crowding)' },
    ]);
    expect(errorsOf(withRule({ id: 'x', polygon: tri }))).toEqual([
      { path: 'rules.0.type', message: 'is required (one of zone, loitering, line, crowding)' },
    ]);
  });

  it('rejects negative or zero loitering seconds, negative crowding seconds, bad minCount', () => {
    expect(errorsOf(withRule({ id: 'l', type: 'loitering', polygon: tri, seconds: -5 }))).toEqual([
      { path: 'rules.0.seconds', message: 'must be > 0' },
    ]);
    expect(errorsOf(withRule({ id: 'l', type: 'loitering', polygon: tri, seconds: 0 }))).toEqual([
      { path: 'rules.0.seconds', message: 'must be > 0' },
    ]);
    expect(errorsOf(withRule({ id: 'l', type: 'loitering', polygon: tri }))).toEqual([
      { path: 'rules.0.seconds', message: 'is required' },
    ]);
    expect(errorsOf(withRule({ id: 'c', type: 'crowding', polygon: tri, minCount: 2, seconds: -1 }))).toEqual([
      { path: 'rules.0.seconds', message: 'must be ≥ 0' },
    ]);
    expect(errorsOf(withRule({ id: 'c', type: 'crowding', polygon: tri, minCount: 0, seconds: 1 }))).toEqual([
      { path: 'rules.0.minCount', message: 'must be ≥ 1' },
    ]);
    expect(errorsOf(withRule({ id: 'c', type: 'crowding', polygon: tri, minCount: 2.5, seconds: 1 }))).toEqual([
      { path: 'rules.0.minCount', message: 'must be an integer' },
    ]);
  });

  it('rejects duplicate rule ids at the later occurrence', () => {
    const details = errorsOf({ rules: [valid.rules[0], valid.rules[1], { ...valid.rules[2], id: 'door' }] });
    expect(details).toEqual([{ path: 'rules.2.id', message: "duplicate rule id 'door' (same as rules.0.id)" }]);
  });

  it('rejects bad ids (used in incident keys)', () => {
    for (const id of ['', 'a#b', 'has space', 'x'.repeat(65)]) {
      expect(errorsOf(withRule({ id, type: 'zone', polygon: tri }))[0]!.path).toBe('rules.0.id');
    }
  });

  it(`rejects more than ${MAX_RULES} rules`, () => {
    const many = Array.from({ length: MAX_RULES + 1 }, (_, i) => ({ id: `z${i}`, type: 'zone', polygon: tri }));
    expect(errorsOf({ rules: many })).toEqual([{ path: 'rules', message: `at most ${MAX_RULES} rules` }]);
    expect(parseRuleSet({ rules: many.slice(0, MAX_RULES) }).ok).toBe(true);
  });

  it('rejects negative and non-finite coordinates with the exact path', () => {
    expect(errorsOf(withRule({ id: 'z', type: 'zone', polygon: [[0, 0], [10, -1], [0, 10]] }))).toEqual([
      { path: 'rules.0.polygon.1.1', message: 'must be ≥ 0' },
    ]);
    expect(errorsOf(withRule({ id: 'z', type: 'zone', polygon: [[0, 0], [Infinity, 1], [0, 10]] }))).toEqual([
      { path: 'rules.0.polygon.1.0', message: 'must be a finite number' },
    ]);
    expect(errorsOf(withRule({ id: 'z', type: 'zone', polygon: [[0, 0], [1, 2, 3], [0, 10]] }))[0]!.path).toBe(
      'rules.0.polygon.1',
    );
  });

  it('validates line rules: direction enum and non-zero length', () => {
    expect(errorsOf(withRule({ id: 'g', type: 'line', from: [1, 1], to: [5, 5], direction: 'up' }))).toEqual([
      { path: 'rules.0.direction', message: "must be 'left-to-right', 'right-to-left' or 'any'" },
    ]);
    expect(errorsOf(withRule({ id: 'g', type: 'line', from: [1, 1], to: [1, 1], direction: 'any' }))).toEqual([
      { path: 'rules.0.to', message: 'line has zero length (from == to)' },
    ]);
  });

  it('rejects unknown keys (typos) instead of ignoring them', () => {
    const details = errorsOf(withRule({ id: 'l', type: 'loitering', polygon: tri, seconds: 5, secnods: 5 }));
    expect(details).toHaveLength(1);
    expect(details[0]!.path).toBe('rules.0');
    expect(details[0]!.message).toContain('secnods');
  });

  it('never throws on garbage bodies', () => {
    for (const input of [null, undefined, 42, 'rules', [], { rules: 'x' }, {}]) {
      const r = parseRuleSet(input);
      expect(r.ok).toBe(false);
    }
    expect(errorsOf(null)).toEqual([{ path: '', message: 'body must be an object { "rules": [...] }' }]);
    expect(errorsOf({})).toEqual([{ path: 'rules', message: 'is required' }]);
  });

  it('reports several problems at once', () => {
    const details = errorsOf({
      rules: [
        { id: 'a', type: 'zone', polygon: [] },
        { id: 'b', type: 'loitering', polygon: tri, seconds: -1 },
      ],
    });
    expect(details.map((d) => d.path)).toEqual(['rules.0.polygon', 'rules.1.seconds']);
  });
});
