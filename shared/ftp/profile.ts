/**
 * Optional timing counters for the migration's steps (the bench prints them; production passes
 * none and pays one `undefined` check per step). Wall time per step summed over all files: with
 * many files in flight it says where files *wait*, not where the CPU goes (the bench reports
 * CPU per process separately).
 */
export class StepTimes {
  readonly ms = new Map<string, number>();
  readonly count = new Map<string, number>();

  add(step: string, ms: number, n = 1): void {
    this.ms.set(step, (this.ms.get(step) ?? 0) + ms);
    this.count.set(step, (this.count.get(step) ?? 0) + n);
  }

  /** Steps as rows: total seconds, calls, mean ms per call and per file. */
  rows(files: number): Array<{ step: string; calls: number; 'total s': number; 'ms/call': number; 'ms/file': number }> {
    return [...this.ms.entries()].map(([step, ms]) => {
      const calls = this.count.get(step) ?? 0;
      return { step, calls, 'total s': Math.round(ms) / 1000, 'ms/call': Math.round((ms / Math.max(1, calls)) * 100) / 100, 'ms/file': Math.round((ms / Math.max(1, files)) * 100) / 100 };
    });
  }
}

/** Times `fn` into `t` (when given) under `step`. */
export async function timed<T>(t: StepTimes | undefined, step: string, fn: () => Promise<T>): Promise<T> {
  if (!t) return fn();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    t.add(step, performance.now() - t0);
  }
}
