import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { isMain, machine, percentile } from './util.js';
import { PLACEHOLDER_IMAGE } from '../infra/local/service.js';

/**
 * Zip functions' packages: per function, the size of its `osls package` artifact and the time a fresh
 * `node` takes to import its handler from the bundle (unzipped), beside the same import from the
 * unbundled tsc output in dist/ with the repository's node_modules (what the old shared zip shipped),
 * in the same run. Then, for a few functions, the bundle with the AWS SDK left out (as when it is taken
 * from the Lambda runtime; here resolved from node_modules) beside the bundle that includes it.
 *
 *   npm run bench -- packages                # builds, packages the dev stage, measures
 *   PACKAGES_REUSE=1 npm run bench -- packages   # measures the artifacts already in .serverless/
 *   PACKAGES_RUNS=5 …                        # fresh processes per figure (median; default 3)
 *   PACKAGES_FUNCTIONS=ids,ftpImagesGet …       # only these functions
 *   PACKAGES_BASELINE=/tmp/old-checkout …    # also import that checkout's artifacts (its .serverless/, after its
 *                                            # own `osls package`), beside these, in the same run
 *
 * `osls package` runs offline: no AWS credentials, a placeholder image URI for the image functions.
 */
const root = resolve(import.meta.dirname, '..');
const work = resolve(root, '.serverless-bench');
const STAGE = process.env.PACKAGES_STAGE ?? 'dev';
const RUNS = Number(process.env.PACKAGES_RUNS ?? 3);

interface StateFn {
  handler?: string;
  image?: unknown;
  environment?: Record<string, unknown>;
  package?: { artifact?: string };
}
interface State {
  service: {
    provider: { environment?: Record<string, unknown> };
    custom: { esbuild: BuildOptions & Record<string, unknown> };
    functions: Record<string, StateFn>;
  };
}

/** `osls package` of STAGE, offline (no credentials): one zip per zip function in .serverless/. */
export function packageStage(stage = STAGE): void {
  rmSync(resolve(root, ".esbuild"), { recursive: true, force: true }); // a failed build leaves stale bundles there
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1' };
  for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete env[k];
  execFileSync(resolve(root, 'node_modules/.bin/osls'), ['package', '--stage', stage, `--param=imageUri=${PLACEHOLDER_IMAGE}`], {
    cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Values a deployment must provide (empty in the packaged stage's config), so that the handler loads. */
const REQUIRED_AT_DEPLOY: Record<string, string> = { PHOTOS_REPORT_URL: 'https://report.example.com/counts' };

/** What the function sees at import: its environment with CloudFormation intrinsics as placeholders. */
function envFor(state: State, fn: StateFn): Record<string, string> {
  const out: Record<string, string> = {
    AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench',
  };
  for (const [k, v] of Object.entries({ ...state.service.provider.environment, ...fn.environment })) {
    out[k] = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : 'placeholder';
    if (!out[k] && REQUIRED_AT_DEPLOY[k]) out[k] = REQUIRED_AT_DEPLOY[k];
  }
  return out;
}

/**
 * Median ms of `await import(file)` in a fresh node (and of the whole process up to then), over RUNS;
 * `cpuMs`: the CPU time of that import (user + system), which other load on the machine inflates far
 * less than the wall time.
 */
export function freshImport(file: string, exported: string, env: Record<string, string>): { ms: number; processMs: number; cpuMs: number } {
  const script = `const c0 = process.cpuUsage(); const t0 = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)});
const t1 = performance.now(); const c = process.cpuUsage(c0); if (typeof m[${JSON.stringify(exported)}] !== 'function') throw new Error('no export ${exported}');
process.stdout.write(JSON.stringify({ ms: t1 - t0, processMs: t1, cpuMs: (c.user + c.system) / 1000 }));`;
  const runs: Array<{ ms: number; processMs: number; cpuMs: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`import ${file} failed:\n${r.stderr}`);
    runs.push(JSON.parse(r.stdout) as { ms: number; processMs: number; cpuMs: number });
  }
  const median = (key: 'ms' | 'processMs' | 'cpuMs') => percentile(runs.map((r) => r[key]), 50);
  return { ms: median('ms'), processMs: median('processMs'), cpuMs: median('cpuMs') };
}

/** serverless.yml custom.esbuild minus serverless-esbuild's own settings, plugins loaded: the zip bundles' esbuild options. */
export function bundleOptions(custom: BuildOptions & Record<string, unknown>): BuildOptions {
  const pluginOnly = new Set(['plugins', 'concurrency', 'zipConcurrency', 'exclude', 'external', 'outputFileExtension', 'skipRebuild',
    'skipBuild', 'skipBuildExcludeFns', 'packager', 'packagerOptions', 'installExtraArgs', 'watch', 'keepOutputDirectory', 'nativeZip',
    'stripEntryResolveExtensions', 'disposeContext', 'disableIncremental', 'outputWorkFolder', 'outputBuildFolder', 'config']);
  const options = Object.fromEntries(Object.entries(custom).filter(([k]) => !pluginOnly.has(k))) as BuildOptions;
  const plugins = typeof custom.plugins === 'string' ? createRequire(import.meta.url)(resolve(root, custom.plugins)) as BuildOptions['plugins'] : [];
  return { ...options, plugins };
}

const round = (n: number) => Math.round(n);
const kb = (bytes: number) => Math.round(bytes / 1024);

export async function benchPackages(): Promise<void> {
  if (!(process.env.PACKAGES_REUSE && existsSync(resolve(root, '.serverless/serverless-state.json')))) {
    const t = performance.now();
    packageStage();
    console.log(`osls package --stage ${STAGE}: ${(performance.now() - t) / 1000 | 0} s`);
  }
  const state = JSON.parse(readFileSync(resolve(root, '.serverless/serverless-state.json'), 'utf8')) as State;
  const baselineRoot = process.env.PACKAGES_BASELINE ? resolve(process.env.PACKAGES_BASELINE) : undefined;
  const baseline = baselineRoot ? JSON.parse(readFileSync(resolve(baselineRoot, '.serverless/serverless-state.json'), 'utf8')) as State : undefined;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });

  const rows: Array<Record<string, string | number>> = [];
  const images: string[] = [];
  const failures: string[] = [];
  const only = process.env.PACKAGES_FUNCTIONS?.split(',').filter(Boolean);
  for (const [name, fn] of Object.entries(state.service.functions)) {
    if (only && !only.includes(name)) continue;
    if (!fn.handler) {
      images.push(name);
      continue;
    }
    const artifact = resolve(root, fn.package?.artifact ?? '');
    if (!fn.package?.artifact || !existsSync(artifact)) throw new Error(`${name}: no artifact (${fn.package?.artifact})`);
    const dir = resolve(work, name);
    execFileSync('unzip', ['-q', '-o', artifact, '-d', dir]);
    const files = execFileSync('unzip', ['-Z1', artifact], { encoding: 'utf8' }).split('\n').filter((l) => l && !l.endsWith('/')).length;
    const dot = fn.handler.lastIndexOf('.');
    const [file, exported] = [fn.handler.slice(0, dot), fn.handler.slice(dot + 1)];
    const env = envFor(state, fn);
    let bundled: ReturnType<typeof freshImport>;
    let unbundled: ReturnType<typeof freshImport>;
    let before: { kib: number; ms: number; cpuMs: number } | undefined;
    try {
      bundled = freshImport(resolve(dir, `${file}.mjs`), exported, env);
      unbundled = freshImport(resolve(root, `${file}.js`), exported, env);
      const old = baseline?.service.functions[name];
      if (baseline && baselineRoot && old?.handler && old.package?.artifact) {
        const oldArtifact = resolve(baselineRoot, old.package.artifact);
        const oldDir = resolve(work, 'baseline', name);
        mkdirSync(oldDir, { recursive: true });
        execFileSync('unzip', ['-q', '-o', oldArtifact, '-d', oldDir]);
        const oldDot = old.handler.lastIndexOf('.');
        const r = freshImport(resolve(oldDir, `${old.handler.slice(0, oldDot)}.mjs`), old.handler.slice(oldDot + 1), envFor(baseline, old));
        before = { kib: kb(statSync(oldArtifact).size), ms: r.ms, cpuMs: r.cpuMs };
      }
    } catch (err) {
      failures.push(`${name}: ${(err as Error).message.split('\n').slice(0, 12).join('\n')}`);
      continue;
    }
    rows.push({
      function: name, handler: fn.handler, 'zip KiB': kb(statSync(artifact).size), files,
      'import ms (bundle)': round(bundled.ms), 'import ms (dist/)': round(unbundled.ms),
      'import CPU ms (bundle)': round(bundled.cpuMs), 'import CPU ms (dist/)': round(unbundled.cpuMs),
      'process ms (bundle)': round(bundled.processMs), 'process ms (dist/)': round(unbundled.processMs),
      ...(before ? { 'baseline zip KiB': before.kib, 'baseline import ms': round(before.ms), 'baseline import CPU ms': round(before.cpuMs) } : {}),
    });
  }
  console.log(`\n## zip packages, stage ${STAGE}, median of ${RUNS} fresh processes  (${machine()})`);
  console.table(rows);
  const max = (key: string) => rows.reduce((a, r) => (Number(r[key]) > Number(a[key]) ? r : a));
  const big = max('zip KiB');
  const slow = max('import ms (bundle)');
  const slowDist = max('import ms (dist/)');
  const slowCpu = max('import CPU ms (bundle)');
  if (baseline) {
    const withBase = rows.filter((r) => r['baseline import ms'] !== undefined);
    const slowBase = withBase.reduce((a, r) => (Number(r['baseline import ms']) > Number(a['baseline import ms']) ? r : a), withBase[0]!);
    const within = (key: string) => rows.filter((r) => r[key] !== undefined && Number(r[key]) <= 150).length;
    console.log(`baseline ${baselineRoot}: slowest import ${slowBase.function} ${slowBase['baseline import ms']} ms; ` +
      `within 150 ms: ${within('import ms (bundle)')} of ${rows.length} now, ${within('baseline import ms')} of ${withBase.length} in the baseline`);
  }
  if (failures.length) {
    console.log(`\n${failures.length} bundle(s) did not import:\n${failures.join('\n\n')}`);
    process.exitCode = 1;
  }
  console.log(`zip functions: ${rows.length}; image functions (infra/docker, not zipped): ${images.join(', ') || 'none'}`);
  console.log(`largest zip: ${big.function} ${big['zip KiB']} KiB (target ≤ 1024 KiB)`);
  console.log(`slowest import, bundle: ${slow.function} ${slow['import ms (bundle)']} ms (target ≤ 150 ms); ` +
    `same function from dist/: ${slow['import ms (dist/)']} ms; slowest from dist/: ${slowDist.function} ${slowDist['import ms (dist/)']} ms`);
  console.log(`most import CPU, bundle: ${slowCpu.function} ${slowCpu['import CPU ms (bundle)']} ms; same function from dist/: ${slowCpu['import CPU ms (dist/)']} ms ` +
    `(load now: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs — wall times above it are inflated)`);

  // AWS SDK bundled (the packaging above) vs left to the runtime: the same options, @aws-sdk/* external.
  const sample = rows.filter((r) => ['ids', 'ftpImagesGet', 'mediaCreateUpload', 'clipsAlarmGet', 'ftpMigrate'].includes(String(r.function)));
  const sdkRows: Array<Record<string, string | number>> = [];
  const esbuildOptions = bundleOptions(state.service.custom.esbuild);
  const outputFileExtension = state.service.custom.esbuild.outputFileExtension;
  for (const r of sample) {
    const fn = state.service.functions[String(r.function)]!;
    const dot = fn.handler!.lastIndexOf('.');
    const [file, exported] = [fn.handler!.slice(0, dot), fn.handler!.slice(dot + 1)];
    // Inside the repository so that the externals resolve from its node_modules, as from the runtime's.
    const outfile = resolve(work, 'sdk-external', String(r.function), `${file}${String(outputFileExtension ?? '.mjs')}`);
    const res = await build({ ...esbuildOptions, entryPoints: [resolve(root, `${file}.js`)], outfile, external: ['@aws-sdk/*'], metafile: true, logLevel: 'error' } as BuildOptions);
    const bytes = Object.values(res.metafile!.outputs).reduce((a, o) => a + o.bytes, 0);
    const external = freshImport(outfile, exported, envFor(state, fn));
    sdkRows.push({
      function: String(r.function), 'import ms (SDK bundled)': r['import ms (bundle)']!, 'import ms (SDK external)': round(external.ms),
      'bundle KiB (SDK external, unzipped)': kb(bytes),
    });
  }
  console.log('\n## AWS SDK v3 bundled vs external (resolved from node_modules, as from the runtime)');
  console.table(sdkRows);
  rmSync(work, { recursive: true, force: true });
}

if (isMain(import.meta.url)) await benchPackages();
