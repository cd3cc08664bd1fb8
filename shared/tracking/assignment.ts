/**
 * Maximum-weight bipartite assignment (Hungarian / Kuhn–Munkres, O(n²m) with potentials).
 *
 * Why not greedy-by-IoU: greedy takes the single best pair first, which at a crossing can steal a
 * detection from the track it belongs to and leave the other track unmatched (or swapped). The
 * optimal assignment maximises the summed similarity instead. With the handful of people a camera
 * sees (n ≲ 50), O(n³) is microseconds, so there is no performance reason to settle for greedy.
 */

/**
 * weights[r][c] ≥ 0 is the similarity of row r and column c; 0 means "not allowed" (gated out).
 * Returns the pairs [row, col] of an assignment maximising the total weight, keeping only pairs
 * with weight > 0 (like SORT: solve, then drop pairs below the gate). Deterministic for a given input.
 */
export function maxWeightAssignment(weights: readonly (readonly number[])[]): Array<[number, number]> {
  const rows = weights.length;
  const cols = rows === 0 ? 0 : weights[0]!.length;
  if (rows === 0 || cols === 0) return [];
  // The algorithm below needs rows ≤ cols; solve the transpose otherwise.
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  const cost = (i: number, j: number) => -(transpose ? weights[j]![i]! : weights[i]![j]!);

  const INF = Number.POSITIVE_INFINITY;
  const u = new Array<number>(n + 1).fill(0);
  const v = new Array<number>(m + 1).fill(0);
  const p = new Array<number>(m + 1).fill(0); // p[j] = row (1-based) assigned to column j
  const way = new Array<number>(m + 1).fill(0);

  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Array<number>(m + 1).fill(INF);
    const used = new Array<boolean>(m + 1).fill(false);
    do {
      used[j0] = true;
      const i0 = p[j0]!;
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]!] = u[p[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minv[j] = minv[j]! - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }

  const pairs: Array<[number, number]> = [];
  for (let j = 1; j <= m; j++) {
    const i = p[j]!;
    if (i === 0) continue;
    const r = transpose ? j - 1 : i - 1;
    const c = transpose ? i - 1 : j - 1;
    if (weights[r]![c]! > 0) pairs.push([r, c]);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}
