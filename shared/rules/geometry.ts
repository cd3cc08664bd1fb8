/**
 * Plane geometry for camera rules, in image pixel coordinates: x grows to the right, y grows
 * DOWNWARDS (screen convention). All functions are pure and use exact arithmetic on the inputs
 * (no epsilon): coordinates are pixel values, so "on the line" means exactly on it.
 */

export type Point = readonly [number, number];
export type Polygon = readonly Point[];

/** Cross product of (b − a) × (c − a). In y-down coordinates, < 0 means c is LEFT of a→b. */
export function cross(a: Point, b: Point, c: Point): number {
  return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

/** True when p lies on the closed segment a–b (endpoints included). */
export function onSegment(p: Point, a: Point, b: Point): boolean {
  return (
    cross(a, b, p) === 0 &&
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/**
 * Closed-segment intersection test: true when segments a–b and c–d share at least one point,
 * including touching at an endpoint and collinear overlap.
 */
export function segmentsIntersect(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = Math.sign(cross(c, d, a));
  const d2 = Math.sign(cross(c, d, b));
  const d3 = Math.sign(cross(a, b, c));
  const d4 = Math.sign(cross(a, b, d));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return (
    (d1 === 0 && onSegment(a, c, d)) ||
    (d2 === 0 && onSegment(b, c, d)) ||
    (d3 === 0 && onSegment(c, a, b)) ||
    (d4 === 0 && onSegment(d, a, b))
  );
}

/**
 * Point-in-polygon (even–odd ray casting). Points exactly on the boundary count as INSIDE, so a
 * person standing on a zone's edge is in the zone and results don't depend on edge orientation.
 */
export function pointInPolygon(p: Point, polygon: Polygon): boolean {
  const n = polygon.length;
  if (n < 3) return false;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = polygon[i]!;
    const b = polygon[j]!;
    if (onSegment(p, a, b)) return true;
    // Half-open rule on y (a.y > p.y) !== (b.y > p.y) counts each vertex once.
    if (a[1] > p[1] !== b[1] > p[1]) {
      const xAtY = a[0] + ((p[1] - a[1]) * (b[0] - a[0])) / (b[1] - a[1]);
      if (p[0] < xAtY) inside = !inside;
    }
  }
  return inside;
}

/** Shoelace signed area (sign depends on winding; in y-down coordinates clockwise-on-screen is positive). */
export function signedArea(polygon: Polygon): number {
  let s = 0;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i]!;
    const b = polygon[(i + 1) % polygon.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

const samePoint = (a: Point, b: Point) => a[0] === b[0] && a[1] === b[1];

/** Drops an explicit closing vertex (last == first), as in GeoJSON rings; the ring is implicitly closed. */
export function normalizeRing(polygon: Polygon): Polygon {
  if (polygon.length >= 2 && samePoint(polygon[0]!, polygon[polygon.length - 1]!)) {
    return polygon.slice(0, -1);
  }
  return polygon;
}

export type PolygonValidation = { ok: true } | { ok: false; reason: string };

/**
 * A usable zone polygon: ≥ 3 points, all distinct (after dropping an explicit closing vertex),
 * non-zero area, and simple (no two edges meet except adjacent edges at their shared vertex).
 * O(n²) in the vertex count, which the schema bounds.
 */
export function validatePolygon(polygon: Polygon): PolygonValidation {
  const ring = normalizeRing(polygon);
  const n = ring.length;
  if (n < 3) return { ok: false, reason: 'polygon needs at least 3 distinct points' };
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (samePoint(ring[i]!, ring[j]!)) {
        return { ok: false, reason: `polygon has duplicate points (${i} and ${j})` };
      }
    }
  }
  // All-collinear rings are reported as zero-area (the more useful message) before the
  // self-intersection test, which would also reject them because their edges fold back.
  if (ring.every((p) => cross(ring[0]!, ring[1]!, p) === 0)) {
    return { ok: false, reason: 'polygon has zero area (all points collinear)' };
  }
  for (let i = 0; i < n; i++) {
    const a = ring[i]!;
    const b = ring[(i + 1) % n]!;
    for (let j = i + 1; j < n; j++) {
      const c = ring[j]!;
      const d = ring[(j + 1) % n]!;
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      if (adjacent) {
        // Adjacent edges share one vertex; they are only a problem if they fold back onto each
        // other (collinear spike), which an intersection test can't distinguish from the shared vertex.
        const shared = j === i + 1 ? b : a;
        const farA = j === i + 1 ? a : b;
        const farB = j === i + 1 ? d : c;
        if (onSegment(farB, farA, shared) || onSegment(farA, shared, farB)) {
          return { ok: false, reason: 'polygon is self-intersecting' };
        }
      } else if (segmentsIntersect(a, b, c, d)) {
        return { ok: false, reason: 'polygon is self-intersecting' };
      }
    }
  }
  // A simple ring with non-collinear vertices always encloses area; kept as a cheap safety net.
  if (signedArea(ring) === 0) return { ok: false, reason: 'polygon has zero area' };
  return { ok: true };
}

export type Side = 'left' | 'right' | 'on';

/**
 * Which side of the directed line from→to the point p is on, as seen by an observer standing at
 * `from` looking towards `to` on the displayed image (y down). E.g. for a line drawn bottom→top,
 * 'left' is the screen-left half-plane; for a line drawn left→right on screen, 'left' is above it.
 */
export function sideOfLine(p: Point, from: Point, to: Point, bandPx = 0): Side {
  const c = cross(from, to, p);
  // |cross| / |to − from| is the distance to the line: within the band counts as on it (hysteresis).
  const band = bandPx > 0 ? bandPx * Math.hypot(to[0] - from[0], to[1] - from[1]) : 0;
  return c < -band ? 'left' : c > band ? 'right' : 'on';
}

export type CrossingDirection = 'left-to-right' | 'right-to-left';

/**
 * Direction in which a movement prev→cur crosses the segment from→to, or null if it does not
 * cross. A crossing needs prev and cur strictly on opposite sides of the (infinite) line AND the
 * movement to meet the closed segment (so walking around an end of the line is not a crossing).
 * Landing exactly on the line is not yet a crossing; callers that track motion should remember the
 * last strictly-sided point (see the rule engine) so on-line samples don't hide a crossing.
 */
export function crossingDirection(
  prev: Point,
  cur: Point,
  from: Point,
  to: Point,
): CrossingDirection | null {
  const s0 = sideOfLine(prev, from, to);
  const s1 = sideOfLine(cur, from, to);
  if (s0 === 'on' || s1 === 'on' || s0 === s1) return null;
  if (!segmentsIntersect(prev, cur, from, to)) return null;
  return s0 === 'left' ? 'left-to-right' : 'right-to-left';
}
