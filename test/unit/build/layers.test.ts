import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layering of shared/ (docs/DEVELOPING.md): the platform imports no capability, engines import
 * no capability and no AWS code, and no two folders import each other, directly or around a loop.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const shared = join(root, 'shared');
const ENGINES = ['vision', 'vectors', 'video', 'rules', 'tracking'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** Static, type-only, re-export and dynamic imports of one file: their specifiers. */
function specifiers(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) {
    out.push((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

/** The shared/ folder a file is in ('platform', 'clips', ...). */
const folderOf = (file: string) => relative(shared, file).split('/')[0]!;

interface Edge { from: string; to: string; file: string; spec: string }

const edges: Edge[] = sources(shared).flatMap((file) => specifiers(file).flatMap((spec): Edge[] => {
  if (!spec.startsWith('.')) return [{ from: folderOf(file), to: spec.startsWith('@aws-sdk/') ? 'aws-sdk' : 'package', file: relative(root, file), spec }];
  const target = resolve(dirname(file), spec);
  if (!target.startsWith(shared + '/')) return [{ from: folderOf(file), to: 'outside shared/', file: relative(root, file), spec }];
  return [{ from: folderOf(file), to: folderOf(target), file: relative(root, file), spec }];
}));
const between = edges.filter((e) => e.from !== e.to && !['aws-sdk', 'package'].includes(e.to));
const show = (es: Edge[]) => es.map((e) => `${e.file} → ${e.spec}`);

describe('shared/ layers', () => {
  it('reads the import graph (the checks below would pass vacuously otherwise)', () => {
    expect(edges.filter((e) => e.from === 'clips' && e.to === 'platform').length).toBeGreaterThan(10);
    expect(edges.some((e) => e.from === 'vision' && e.to === 'rules')).toBe(true);
  });

  it('nothing in shared/ imports from outside it', () => {
    expect(show(edges.filter((e) => e.to === 'outside shared/'))).toEqual([]);
  });

  it('the platform imports no capability, engine or contract', () => {
    expect(show(between.filter((e) => e.from === 'platform'))).toEqual([]);
  });

  it('engines import no capability, no platform and no AWS SDK', () => {
    const bad = edges.filter((e) => ENGINES.includes(e.from) && (e.to === 'aws-sdk' || (e.to !== e.from && !ENGINES.includes(e.to) && e.to !== 'package')));
    expect(show(bad)).toEqual([]);
  });

  it('capability and engine code throws domain errors, never HTTP ones (toHttp maps them in one place)', () => {
    const http = sources(shared).filter((f) => folderOf(f) !== 'platform' && /\bHttpError\b/.test(readFileSync(f, 'utf8')));
    expect(http.map((f) => relative(root, f))).toEqual([]);
  });

  it('no runtime import cycle between files (type-only imports aside)', () => {
    const next = new Map<string, string[]>();
    for (const file of sources(shared)) {
      const src = readFileSync(file, 'utf8');
      const deps = [...src.matchAll(/(?:^|\n)\s*(?:import|export)\s+(type\s+)?[^'"]*?\bfrom\s*['"](\.[^'"]+)['"]/g)]
        .filter((m) => !m[1]).map((m) => resolve(dirname(file), m[2]!).replace(/\.js$/, '.ts'));
      next.set(file, deps);
    }
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      state.set(f, 'open');
      for (const n of next.get(f) ?? []) {
        if (state.get(n) === 'open') cycles.push([...path.slice(path.indexOf(n)), n].map((x) => relative(root, x)).join(' → '));
        else if (!state.has(n)) visit(n, [...path, n]);
      }
      state.set(f, 'done');
    };
    for (const f of next.keys()) if (!state.has(f)) visit(f, [f]);
    expect([...next.values()].flat().length).toBeGreaterThan(100);
    expect(cycles).toEqual([]);
  });

  it('no import cycle between folders', () => {
    const next = new Map<string, Set<string>>();
    for (const e of between) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
    const cycles: string[] = [];
    const visit = (path: string[]) => {
      for (const n of next.get(path.at(-1)!) ?? []) {
        if (n === path[0]) cycles.push([...path, n].join(' → '));
        else if (!path.includes(n) && n > path[0]!) visit([...path, n]);
      }
    };
    for (const f of next.keys()) visit([f]);
    // Each cycle with the imports that make its steps, so a failure says what to move.
    const steps = (c: string[]) => c.slice(1).map((to, i) => `${c[i]} → ${to}: ${show(between.filter((e) => e.from === c[i] && e.to === to)).slice(0, 2).join(', ')}`);
    expect(cycles.map((c) => steps(c.split(' → ')))).toEqual([]);
  });
});
