import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { machine } from './util.js';

/** `npm run bench -- [name ...]`: runs the named benchmarks (all when none named) and prints figures. */
const benches: Record<string, [file: string, fn: string]> = {
  ids: ['ids.ts', 'benchIds'],
  photos: ['photos.ts', 'benchPhotos'],
  media: ['media-store.ts', 'benchMediaStore'],
  ffmpeg: ['media.ts', 'benchMedia'],
  vision: ['vision.ts', 'benchVision'],
  accuracy: ['accuracy.ts', 'benchAccuracy'],
  rules: ['rules.ts', 'benchRules'],
  clips: ['clips.ts', 'benchClips'],
  ftp: ['ftp.ts', 'benchFtp'],
  search: ['search.ts', 'benchSearch'],
  'search-pipeline': ['search-e2e.ts', 'benchSearchPipeline'],
  packages: ['packages.ts', 'benchPackages'],
  console: ['console.ts', 'benchConsole'],
};

const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = asked.filter((a) => !benches[a]);
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
console.log(`panoptes benchmarks on ${machine()}`);
for (const name of asked.length ? asked : Object.keys(benches)) {
  const [file, fn] = benches[name]!;
  const path = resolve(import.meta.dirname, file);
  if (!existsSync(path)) {
    console.log(`\n## ${name}: not available (${file} missing)`);
    continue;
  }
  const mod = (await import(path)) as Record<string, () => Promise<unknown>>;
  await mod[fn]!();
}
process.exit(process.exitCode ?? 0);
