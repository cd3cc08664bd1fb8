import { describe, expect, it } from 'vitest';
import { parseGroups, pickGroup } from '../../../shared/media-store/groups.js';

describe('group configuration', () => {
  it('parses "name bucket" pairs', () => {
    expect(parseGroups('g1 panoptes-local-media-g1, g2 panoptes-local-media-g2')).toEqual([
      { name: 'g1', bucket: 'panoptes-local-media-g1' },
      { name: 'g2', bucket: 'panoptes-local-media-g2' },
    ]);
  });
  it.each(['', 'g1', 'g1 Bad_Bucket', 'g1 b1 extra', 'g1 bucket-a, g1 bucket-b', 'g/1 bucket-a'])('refuses "%s"', (text) => {
    expect(() => parseGroups(text)).toThrow(/media group/);
  });
});

describe('pickGroup', () => {
  const groups = [
    { name: 'g2', status: 'active' as const },
    { name: 'g1', status: 'active' as const },
    { name: 'g3', status: 'readonly' as const },
  ];
  it('chooses among active groups only, uniformly', () => {
    expect(pickGroup(groups, () => 0)?.name).toBe('g1');
    expect(pickGroup(groups, () => 0.99)?.name).toBe('g2');
    const counts: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) {
      const g = pickGroup(groups)!.name;
      counts[g] = (counts[g] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['g1', 'g2']);
    expect(counts.g1!).toBeGreaterThan(800);
  });
  it('has nothing to offer when every group is read-only', () => {
    expect(pickGroup([{ name: 'g1', status: 'readonly' as const }])).toBeUndefined();
  });
});
