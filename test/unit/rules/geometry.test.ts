import { describe, expect, it } from 'vitest';
import {
  crossingDirection,
  normalizeRing,
  pointInPolygon,
  segmentsIntersect,
  sideOfLine,
  signedArea,
  validatePolygon,
  type Point,
} from '../../../shared/rules/geometry.js';

const square: Point[] = [
  [0, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];
// U shape (concave): the notch x∈(4,6), y∈[0,8) is outside.
const u: Point[] = [
  [0, 0],
  [4, 0],
  [4, 8],
  [6, 8],
  [6, 0],
  [10, 0],
  [10, 10],
  [0, 10],
];

describe('pointInPolygon', () => {
  it('classifies inside and outside points', () => {
    expect(pointInPolygon([5, 5], square)).toBe(true);
    expect(pointInPolygon([11, 5], square)).toBe(false);
    expect(pointInPolygon([-1, 5], square)).toBe(false);
    expect(pointInPolygon([5, -0.001], square)).toBe(false);
  });

  it('counts boundary points (edges and vertices) as inside', () => {
    expect(pointInPolygon([10, 5], square)).toBe(true);
    expect(pointInPolygon([5, 0], square)).toBe(true);
    expect(pointInPolygon([0, 0], square)).toBe(true);
    expect(pointInPolygon([10, 10], square)).toBe(true);
  });

  it('handles concave polygons and rays through vertices', () => {
    expect(pointInPolygon([5, 4], u)).toBe(false); // in the notch
    expect(pointInPolygon([2, 4], u)).toBe(true);
    expect(pointInPolygon([8, 4], u)).toBe(true);
    expect(pointInPolygon([5, 9], u)).toBe(true);
    // Ray at y=8 passes exactly through vertices (4,8) and (6,8).
    expect(pointInPolygon([2, 8], u)).toBe(true);
    expect(pointInPolygon([-1, 8], u)).toBe(false);
    expect(pointInPolygon([5, 8], u)).toBe(true); // on the notch's top edge
  });

  it('works for either winding and rejects degenerate input', () => {
    expect(pointInPolygon([5, 5], [...square].reverse())).toBe(true);
    expect(pointInPolygon([0, 0], [[0, 0], [1, 1]])).toBe(false);
  });
});

describe('segmentsIntersect', () => {
  it('detects proper crossings', () => {
    expect(segmentsIntersect([0, 0], [10, 10], [0, 10], [10, 0])).toBe(true);
  });
  it('counts touching at an endpoint and T-junctions', () => {
    expect(segmentsIntersect([0, 0], [5, 5], [5, 5], [10, 0])).toBe(true);
    expect(segmentsIntersect([0, 5], [5, 5], [5, 0], [5, 10])).toBe(true);
  });
  it('handles collinear overlap vs collinear disjoint', () => {
    expect(segmentsIntersect([0, 0], [5, 0], [3, 0], [8, 0])).toBe(true);
    expect(segmentsIntersect([0, 0], [2, 0], [3, 0], [8, 0])).toBe(false);
  });
  it('rejects parallel and non-reaching segments', () => {
    expect(segmentsIntersect([0, 0], [10, 0], [0, 1], [10, 1])).toBe(false);
    expect(segmentsIntersect([0, 0], [4, 4], [0, 10], [4, 6])).toBe(false);
  });
});

describe('validatePolygon', () => {
  it('accepts simple polygons, convex or concave, in either winding', () => {
    expect(validatePolygon(square)).toEqual({ ok: true });
    expect(validatePolygon(u)).toEqual({ ok: true });
    expect(validatePolygon([...u].reverse())).toEqual({ ok: true });
    expect(validatePolygon([[0, 0], [10, 0], [0, 10]])).toEqual({ ok: true });
  });

  it('accepts an explicitly closed ring (last point == first)', () => {
    expect(validatePolygon([...square, [0, 0]])).toEqual({ ok: true });
    expect(normalizeRing([...square, [0, 0]])).toEqual(square);
  });

  it('rejects a bow-tie as self-intersecting', () => {
    expect(validatePolygon([[0, 0], [10, 10], [10, 0], [0, 10]])).toEqual({
      ok: false,
      reason: 'polygon is self-intersecting',
    });
  });

  it('rejects a vertex touching a non-adjacent edge and a folded-back spike', () => {
    const touching: Point[] = [[0, 0], [10, 0], [10, 10], [5, 0], [0, 10]];
    expect(validatePolygon(touching)).toMatchObject({ ok: false, reason: 'polygon is self-intersecting' });
    const spike: Point[] = [[0, 0], [10, 0], [5, 0], [5, 5]];
    expect(validatePolygon(spike)).toMatchObject({ ok: false, reason: 'polygon is self-intersecting' });
  });

  it('rejects too few, duplicate and collinear points', () => {
    expect(validatePolygon([])).toMatchObject({ ok: false, reason: expect.stringContaining('at least 3') });
    expect(validatePolygon([[0, 0], [1, 1], [0, 0]])).toMatchObject({ ok: false, reason: expect.stringContaining('at least 3') });
    expect(validatePolygon([[0, 0], [10, 0], [10, 0], [0, 10]])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('duplicate'),
    });
    expect(validatePolygon([[0, 0], [5, 5], [10, 10]])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('zero area'),
    });
  });

  it('signedArea has the magnitude of the enclosed area', () => {
    expect(Math.abs(signedArea(square))).toBe(100);
    expect(Math.abs(signedArea(u))).toBe(100 - 2 * 8);
  });
});

describe('sideOfLine / crossingDirection (y grows downwards)', () => {
  // Vertical line drawn bottom → top: standing at `from` looking up the screen, left is screen-left.
  const up = { from: [100, 200] as Point, to: [100, 0] as Point };
  // Horizontal line drawn screen-left → screen-right: looking right, left is above (smaller y).
  const right = { from: [0, 100] as Point, to: [200, 100] as Point };

  it('defines left/right relative to the line orientation', () => {
    expect(sideOfLine([50, 100], up.from, up.to)).toBe('left');
    expect(sideOfLine([150, 100], up.from, up.to)).toBe('right');
    expect(sideOfLine([100, 50], up.from, up.to)).toBe('on');
    expect(sideOfLine([50, 50], right.from, right.to)).toBe('left');
    expect(sideOfLine([50, 150], right.from, right.to)).toBe('right');
    // Reversing the line swaps the sides.
    expect(sideOfLine([50, 100], up.to, up.from)).toBe('right');
  });

  it('reports the crossing direction', () => {
    expect(crossingDirection([50, 100], [150, 100], up.from, up.to)).toBe('left-to-right');
    expect(crossingDirection([150, 100], [50, 100], up.from, up.to)).toBe('right-to-left');
    expect(crossingDirection([50, 50], [60, 150], right.from, right.to)).toBe('left-to-right');
    expect(crossingDirection([50, 100], [150, 100], up.to, up.from)).toBe('right-to-left');
  });

  it('is null when not crossing the segment itself', () => {
    expect(crossingDirection([50, 100], [80, 100], up.from, up.to)).toBeNull(); // same side
    expect(crossingDirection([50, 300], [150, 300], up.from, up.to)).toBeNull(); // beyond the end
    expect(crossingDirection([50, 100], [100, 100], up.from, up.to)).toBeNull(); // lands on it
    expect(crossingDirection([50, 200], [150, 200], up.from, up.to)).toBe('left-to-right'); // through the endpoint
  });
});
