/** Seeded synthetic vectors for the vector-index tests (deterministic, so failures reproduce). */

export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomUnitVectors(count: number, dimension: number, seed: number): Float32Array[] {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: count }, () => {
    const v = new Float32Array(dimension);
    let sq = 0;
    for (let j = 0; j < dimension; j++) {
      v[j] = gauss();
      sq += v[j]! * v[j]!;
    }
    const inv = 1 / Math.sqrt(sq);
    for (let j = 0; j < dimension; j++) v[j]! *= inv;
    return v;
  });
}

/** Reference cosine similarity in float64, no normalisation assumed. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

/** Naive top-k: score everything, sort, slice. */
export function naiveTopK(
  items: ReadonlyMap<string, ArrayLike<number>>,
  query: ArrayLike<number>,
  k: number,
): Array<{ id: string; score: number }> {
  return [...items]
    .map(([id, v]) => ({ id, score: cosine(v, query) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}
