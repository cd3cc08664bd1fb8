// Types of native-guard.cjs (for the TypeScript that imports it: tests, bench).
import type { Metafile, Plugin } from 'esbuild';

export interface Forbidden {
  /** The bundle's entry point (the handler file). */
  entry: string;
  /** The forbidden import: a bare specifier (made external) or a bundled input path. */
  importPath: string;
  why: string;
  /** Entry → … → the module importing it. */
  chain: string[];
}
export function forbiddenReason(specifier: string): string | undefined;
export function findForbidden(metafile: Pick<Metafile, 'inputs' | 'outputs'>): Forbidden[];
export function formatForbidden(found: Forbidden[]): string;
export function nativeGuard(): Plugin;
