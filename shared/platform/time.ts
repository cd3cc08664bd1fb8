/**
 * Time as every capability writes it. Durations as operators write them, one grammar everywhere:
 * `24h`, `90m`, `30s`, `2d`, `1500ms`, or a bare number of seconds (string or number) → milliseconds.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds, or undefined when `text` is not a duration (for validation that names the field). */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? 's').toLowerCase()]!);
}

/** Milliseconds; throws naming the text when it is not a duration (settings, CLI options). */
export function requireDuration(text: string | number): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`bad duration ${JSON.stringify(text)} (e.g. 24h, 90m, 30s, 2d)`);
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** ISO 8601 (UTC) of epoch milliseconds; null stays null (optional timestamps in API views). */
export function iso(ms: number): string;
export function iso(ms: number | undefined | null): string | null;
export function iso(ms: number | undefined | null): string | null {
  return ms === undefined || ms === null ? null : new Date(ms).toISOString();
}
