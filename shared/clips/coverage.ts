/**
 * Which clips cover a replay window, and whether footage is missing. A clip's length is its probed
 * duration once inference has seen it, else the nominal segment length (the dispatcher only knows
 * the key).
 */
export interface IndexedClip {
  startMs: number;
  durationMs?: number | null;
}

export interface Coverage<C extends IndexedClip> {
  /** No gap longer than the tolerance inside [fromMs, toMs]. */
  complete: boolean;
  /** Clips overlapping the window, in start order. */
  used: C[];
  gaps: Array<{ fromMs: number; toMs: number }>;
  /** Milliseconds of the window with footage. */
  coveredMs: number;
}

export function coverage<C extends IndexedClip>(
  clips: readonly C[],
  win: { fromMs: number; toMs: number },
  opts: { nominalMs: number; toleranceMs?: number },
): Coverage<C> {
  const tol = opts.toleranceMs ?? 1000;
  const endOf = (c: IndexedClip) => c.startMs + (c.durationMs && c.durationMs > 0 ? c.durationMs : opts.nominalMs);
  const used = [...clips]
    .sort((a, b) => a.startMs - b.startMs)
    .filter((c) => endOf(c) > win.fromMs && c.startMs < win.toMs);
  const gaps: Coverage<C>['gaps'] = [];
  let cursor = win.fromMs;
  let covered = 0;
  for (const c of used) {
    const start = Math.max(c.startMs, win.fromMs);
    const end = Math.min(endOf(c), win.toMs);
    if (start > cursor) {
      if (start - cursor > tol) gaps.push({ fromMs: cursor, toMs: start });
      covered += end - start;
    } else covered += Math.max(0, end - cursor);
    cursor = Math.max(cursor, end);
  }
  if (win.toMs - cursor > tol) gaps.push({ fromMs: cursor, toMs: win.toMs });
  return { complete: gaps.length === 0, used, gaps, coveredMs: covered };
}
