/**
 * Similarity-search benchmark: exact vs HNSW over synthetic face-embedding-like vectors.
 *
 *   npx tsx bench/search.ts [--n 100000] [--dim 1024] [--queries 500] [--m 16] [--efc 128]
 *                           [--ef 64,128,256,512] [--sweep 10000,20000,30000,40000,50000] [--json]
 *
 * Data (seeded, reproducible) is clustered, not uniform noise, because real face embeddings are:
 *   64 "groups" (think pose/lighting/demographics) uniform on the unit sphere →
 *   n/20 identities, each at cosine ≈ 0.5 to a random group →
 *   n faces, each at cosine ≈ 0.75 to a random identity (so ~20 faces/identity, Poisson-ish).
 * Queries are fresh faces (never indexed): 80% of known identities — the real use, whose top-10 are
 * that person's other photos — and 20% of unseen identities, whose neighbours are near-ties inside
 * a group (the hard case for an approximate index). Recall@k is measured against exact search.
 *
 * Reports build time, serialized size, load time (bytes → searchable), search p50/p99 for k=10 on
 * the loaded index, recall, and RSS; optionally sweeps exact latency over sizes to place the
 * exact/HNSW crossover (AUTO_EXACT_MAX_SIZE). The HNSW build is single-threaded (hnswlib-node adds
 * points one call at a time), so it dominates the runtime.
 */
import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import {
  DEFAULT_HNSW_PARAMS,
  ExactIndex,
  HnswIndex,
  loadIndex,
  type HnswParams,
  type LocalVectorIndex,
  type SearchHit,
} from '../shared/vectors/index.js';

export interface BenchOptions {
  n: number;
  dimension: number;
  queries: number;
  k: number;
  m: number;
  efConstruction: number;
  /** efSearch values to try on the same graph (cheap: no rebuild). */
  efSearch: number[];
  /** Exact-index sizes for the latency sweep; empty to skip. */
  sweep: number[];
  seed: number;
  log: (line: string) => void;
}

export interface LatencyStats {
  /** Wall-clock per query: what a caller sees, including time the OS gave to other processes. */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** CPU time per query (process.cpuUsage): robust to other load on a shared machine. */
  cpuP50Ms: number;
  cpuP99Ms: number;
}

export interface KindResult {
  kind: 'exact' | 'hnsw';
  params?: Pick<HnswParams, 'm' | 'efConstruction'>;
  buildS: number;
  /** CPU seconds of the build (robust to other load; the build is single-threaded). */
  buildCpuS: number;
  serializeS: number;
  serializedMB: number;
  /** loadIndex(bytes) in the benchmark process (bytes already in memory, as after an S3 GET). */
  loadS: number;
  /** The same in a fresh process, i.e. a Lambda cold start: time, RSS once loaded, and peak RSS
   *  (bytes and index both resident) — the figure to size Lambda memory by. */
  coldLoad: { loadS: number; rssMB: number; peakRssMB: number };
  runs: Array<{ efSearch?: number; recall: number; recallKnown: number; recallUnseen: number } & LatencyStats>;
}

export interface BenchResult {
  machine: { cpus: number; cpuModel: string; memGB: number; loadAvg1m: [number, number] };
  data: { n: number; dimension: number; queries: number; k: number; generator: string; genS: number };
  exact: KindResult;
  hnsw: KindResult;
  sweep: Array<{ size: number } & LatencyStats>;
  peakRssMB: number;
  totalS: number;
}

const DEFAULTS: BenchOptions = {
  n: 100_000,
  dimension: 1024,
  queries: 500,
  k: 10,
  m: DEFAULT_HNSW_PARAMS.m,
  efConstruction: DEFAULT_HNSW_PARAMS.efConstruction,
  efSearch: [64, 128, DEFAULT_HNSW_PARAMS.efSearch, 512],
  sweep: [],
  seed: 42,
  log: (line) => console.log(line),
};

const GENERATOR = '64 groups → n/20 identities (cos≈0.5 to group) → faces (cos≈0.75 to identity); queries 80% known identity, 20% unseen';

export async function benchSearch(options: Partial<BenchOptions> = {}): Promise<BenchResult> {
  const o = { ...DEFAULTS, ...options };
  const t0 = now();
  const gc = exposeGc();
  let peakRss = rssMB();
  const notePeak = () => (peakRss = Math.max(peakRss, rssMB()));
  const loadStart = loadavg()[0]!;

  o.log(`generating ${o.n} × ${o.dimension} clustered vectors + ${o.queries} queries (seed ${o.seed})…`);
  const tg = now();
  const data = generate(o);
  const genS = now() - tg;
  const rowAt = (i: number) => data.base.subarray(i * o.dimension, (i + 1) * o.dimension);
  const queryAt = (i: number) => data.queries.subarray(i * o.dimension, (i + 1) * o.dimension);

  // ---- exact -------------------------------------------------------------------------------
  const ids = Array.from({ length: o.n }, (_, i) => `img/${i}#0`); // the production id shape
  const exactPhase = await buildAndLoad(
    () => new ExactIndex({ dimension: o.dimension, initialCapacity: o.n }),
    ids,
    rowAt,
    gc,
    o.log,
  );
  notePeak();
  o.log(`exact: searching ${o.queries} queries (also the ground truth)…`);
  const truth: SearchHit[][] = [];
  const exactLat = timeQueries(o.queries, (i) => truth.push(exactPhase.index!.search(queryAt(i), o.k)));
  const exact: KindResult = {
    kind: 'exact',
    ...exactPhase.stats,
    runs: [{ ...recallOf(truth, truth, data.unseenFrom, o.k), ...exactLat }],
  };
  exactPhase.index = undefined; // free ~400 MB before the hnsw build
  gc();

  // ---- hnsw --------------------------------------------------------------------------------
  const params = { m: o.m, efConstruction: o.efConstruction };
  const hnswPhase = await buildAndLoad(
    () => HnswIndex.create({ dimension: o.dimension, ...params, initialCapacity: o.n, seed: o.seed }),
    ids,
    rowAt,
    gc,
    o.log,
  );
  notePeak();
  const loaded = hnswPhase.index as HnswIndex;
  const runs: KindResult['runs'] = [];
  for (const ef of o.efSearch) {
    loaded.setEfSearch(ef); // same graph, different search breadth: no rebuild needed
    const got: SearchHit[][] = [];
    const lat = timeQueries(o.queries, (i) => got.push(loaded.search(queryAt(i), o.k)));
    runs.push({ efSearch: ef, ...recallOf(got, truth, data.unseenFrom, o.k), ...lat });
    o.log(`  ef=${ef}: recall ${runs.at(-1)!.recall.toFixed(3)}, p99 ${lat.p99Ms.toFixed(2)} ms wall, ${lat.cpuP99Ms.toFixed(2)} ms cpu`);
  }
  const hnsw: KindResult = {
    kind: 'hnsw',
    params,
    ...hnswPhase.stats,
    runs,
  };
  hnswPhase.index = undefined;
  gc();

  // ---- exact latency vs size -----------------------------------------------------------------
  const sweep: BenchResult['sweep'] = [];
  for (const size of o.sweep.filter((s) => s <= o.n)) {
    const index = new ExactIndex({ dimension: o.dimension, initialCapacity: size });
    for (let i = 0; i < size; i++) index.upsert(`img/${i}#0`, rowAt(i));
    const queries = Math.min(o.queries, 300);
    sweep.push({ size, ...timeQueries(queries, (i) => index.search(queryAt(i), o.k)) });
    const last = sweep.at(-1)!;
    o.log(`  exact @${size}: p99 ${last.p99Ms.toFixed(1)} ms wall, ${last.cpuP99Ms.toFixed(1)} ms cpu`);
  }
  notePeak();

  const cpu = cpus();
  return {
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? '?',
      memGB: Math.round(totalmem() / 2 ** 30),
      loadAvg1m: [round(loadStart, 2), round(loadavg()[0]!, 2)],
    },
    data: { n: o.n, dimension: o.dimension, queries: o.queries, k: o.k, generator: GENERATOR, genS },
    exact,
    hnsw,
    sweep,
    peakRssMB: peakRss,
    totalS: now() - t0,
  };
}

/**
 * Builds an index from the rows, then serialize → loadIndex (what a Lambda cold start does), timing
 * each step; the load is also repeated in a fresh process for clean memory figures. Only the loaded
 * index survives the call.
 */
async function buildAndLoad(
  make: () => LocalVectorIndex,
  ids: string[],
  rowAt: (i: number) => Float32Array,
  gc: () => void,
  log: (line: string) => void,
): Promise<{ index: LocalVectorIndex | undefined; stats: Omit<KindResult, 'kind' | 'params' | 'runs'> }> {
  // The built index only lives inside buildAndSerialize, so it is collectable before the load.
  const held: { bytes?: Uint8Array } = {};
  const { buildS, buildCpuS, serializeS, bytes } = await buildAndSerialize(make, ids, rowAt, log);
  held.bytes = bytes;
  const serializedMB = bytes.byteLength / 2 ** 20;
  gc();
  const coldLoad = await loadInFreshProcess(held.bytes);
  const t = now();
  const index = await loadIndex(held.bytes);
  const loadS = now() - t;
  held.bytes = undefined;
  gc();
  log(`  built in ${buildS.toFixed(1)} s, ${serializedMB.toFixed(0)} MB serialized, loaded in ${loadS.toFixed(2)} s`);
  return { index, stats: { buildS, buildCpuS, serializeS, serializedMB, loadS, coldLoad } };
}

async function buildAndSerialize(
  make: () => LocalVectorIndex,
  ids: string[],
  rowAt: (i: number) => Float32Array,
  log: (line: string) => void,
) {
  const built = make();
  log(`${built.kind}: building ${ids.length}…`);
  let t = now();
  const cpu0 = process.cpuUsage();
  const every = Math.max(1, Math.floor(ids.length / 10));
  for (let i = 0; i < ids.length; i++) {
    built.upsert(ids[i]!, rowAt(i));
    if (built.kind === 'hnsw' && (i + 1) % every === 0) log(`  ${i + 1}/${ids.length} (${(now() - t).toFixed(0)} s)`);
  }
  const buildS = now() - t;
  const cpu = process.cpuUsage(cpu0);
  t = now();
  const bytes = await built.serialize();
  return { buildS, buildCpuS: (cpu.user + cpu.system) / 1e6, serializeS: now() - t, bytes };
}

/** Runs `loadIndex` in a child process (this file in --load-child mode) on the bytes via a temp file. */
async function loadInFreshProcess(bytes: Uint8Array): Promise<KindResult['coldLoad']> {
  const dir = await mkdtemp(join(tmpdir(), 'panoptes-bench-'));
  try {
    const file = join(dir, 'index.bin');
    await writeFile(file, bytes);
    const child = fork(fileURLToPath(import.meta.url), ['--load-child', file], {
      execArgv: process.execArgv, // keeps the tsx loader
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const result = await new Promise<KindResult['coldLoad']>((resolve, reject) => {
      child.once('message', (m) => resolve(m as KindResult['coldLoad']));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`load child exited with ${code}`))); // no-op once resolved
    });
    child.kill();
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function loadChild(file: string): Promise<void> {
  // readFile stands in for the S3 GET (timed separately); its buffer is unreachable once loaded.
  let t = now();
  const index = await loadIndex(
    await readFile(file).then((b) => {
      t = now();
      return b;
    }),
  );
  const loadS = now() - t;
  await settle(exposeGc());
  const result: KindResult['coldLoad'] = {
    loadS,
    rssMB: rssMB(),
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
  if (index.size < 0) throw new Error('unreachable'); // keep the index alive until measured
  process.send!(result, () => process.disconnect());
}

function timeQueries(count: number, run: (i: number) => void): LatencyStats {
  for (let i = 0; i < Math.min(5, count); i++) run(i); // warm-up: JIT, page faults
  const wall = new Float64Array(count);
  const cpu = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    run(i);
    wall[i] = performance.now() - t;
    const dc = process.cpuUsage(c);
    cpu[i] = (dc.user + dc.system) / 1000;
  }
  const mean = wall.reduce((a, b) => a + b, 0) / count;
  wall.sort();
  cpu.sort();
  const pct = (xs: Float64Array, p: number) => xs[Math.max(0, Math.ceil(p * count) - 1)]!;
  return {
    p50Ms: pct(wall, 0.5),
    p99Ms: pct(wall, 0.99),
    meanMs: mean,
    cpuP50Ms: pct(cpu, 0.5),
    cpuP99Ms: pct(cpu, 0.99),
  };
}

function recallOf(got: SearchHit[][], truth: SearchHit[][], unseenFrom: number, k: number) {
  let hit = 0;
  let hitKnown = 0;
  let hitUnseen = 0;
  for (let q = 0; q < truth.length; q++) {
    const want = new Set(truth[q]!.map((h) => h.id));
    const h = got[q]!.filter((x) => want.has(x.id)).length;
    hit += h;
    if (q < unseenFrom) hitKnown += h;
    else hitUnseen += h;
  }
  const denom = (n: number) => Math.max(1, n * k);
  return {
    recall: hit / denom(truth.length),
    recallKnown: hitKnown / denom(unseenFrom),
    recallUnseen: hitUnseen / denom(truth.length - unseenFrom),
  };
}

// ---- synthetic data -----------------------------------------------------------------------------

function generate(o: BenchOptions) {
  const d = o.dimension;
  const rng = mulberry32(o.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const randomUnit = (out: Float32Array) => {
    for (let j = 0; j < d; j++) out[j] = gauss();
    return normalize(out);
  };
  // x = c + σ·N(0, I) has cos(x, c) ≈ 1/√(1 + σ²d) for unit c, so σ = √((1/cos² − 1)/d).
  const around = (c: Float32Array, cos: number, out: Float32Array) => {
    const sigma = Math.sqrt((1 / (cos * cos) - 1) / d);
    for (let j = 0; j < d; j++) out[j] = c[j]! + sigma * gauss();
    return normalize(out);
  };
  const groups = Array.from({ length: 64 }, () => randomUnit(new Float32Array(d)));
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)]!;
  const identities = Array.from({ length: Math.max(1, Math.round(o.n / 20)) }, () =>
    around(pick(groups), 0.5, new Float32Array(d)),
  );
  const base = new Float32Array(o.n * d);
  for (let i = 0; i < o.n; i++) around(pick(identities), 0.75, base.subarray(i * d, (i + 1) * d));
  const queries = new Float32Array(o.queries * d);
  const unseenFrom = Math.floor(o.queries * 0.8);
  const scratch = new Float32Array(d);
  for (let i = 0; i < o.queries; i++) {
    const identity = i < unseenFrom ? pick(identities) : around(pick(groups), 0.5, scratch);
    around(identity, 0.75, queries.subarray(i * d, (i + 1) * d));
  }
  return { base, queries, unseenFrom };
}

function normalize(v: Float32Array): Float32Array {
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += v[i]! * v[i]!;
  const inv = 1 / Math.sqrt(sq);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

function mulberry32(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- plumbing -----------------------------------------------------------------------------------

const now = () => performance.now() / 1000;
const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const rssMB = () => process.memoryUsage.rss() / 2 ** 20;

/** A real gc() without requiring --expose-gc on the command line, so RSS deltas are meaningful. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** gc, then give V8's concurrent sweeper time to actually free large ArrayBuffer backing stores. */
async function settle(gc: () => void): Promise<void> {
  gc();
  await new Promise((r) => setTimeout(r, 500));
  gc();
}

function report(r: BenchResult): string {
  const f = (x: number, d = 1) => x.toFixed(d);
  const lines = [
    `machine: ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.memGB} GB, load avg 1m ${r.machine.loadAvg1m.join(' → ')}`,
    `data: ${r.data.n} × ${r.data.dimension}, ${r.data.queries} queries, k=${r.data.k} (generated in ${f(r.data.genS)} s)`,
    `      ${r.data.generator}`,
    '',
    'build / persist / load (cold = fresh process; RSS includes ~50 MB of Node itself):',
  ];
  for (const k of [r.exact, r.hnsw]) {
    const params = k.params ? ` (M=${k.params.m}, efConstruction=${k.params.efConstruction})` : '';
    lines.push(
      `  ${k.kind}${params}: build ${f(k.buildS)} s (cpu ${f(k.buildCpuS)} s), serialize ${f(k.serializeS, 2)} s, ${f(k.serializedMB, 0)} MB, ` +
        `load ${f(k.loadS, 2)} s (cold ${f(k.coldLoad.loadS, 2)} s, RSS ${f(k.coldLoad.rssMB, 0)} MB, peak ${f(k.coldLoad.peakRssMB, 0)} MB)`,
    );
  }
  lines.push(
    '',
    `search, k=${r.data.k}, ${r.data.queries} queries on the loaded index (wall p50/p99, cpu p50/p99 in ms):`,
    '  kind   ef     wall p50  wall p99  cpu p50  cpu p99  recall@k (known / unseen)',
  );
  for (const k of [r.exact, r.hnsw]) {
    for (const run of k.runs) {
      lines.push(
        [
          '  ' + k.kind.padEnd(6),
          String(run.efSearch ?? '-').padEnd(5),
          f(run.p50Ms, 2).padStart(9),
          f(run.p99Ms, 2).padStart(9),
          f(run.cpuP50Ms, 2).padStart(8),
          f(run.cpuP99Ms, 2).padStart(8),
          `  ${f(run.recall, 3)} (${f(run.recallKnown, 3)} / ${f(run.recallUnseen, 3)})`,
        ].join(' '),
      );
    }
  }
  if (r.sweep.length) {
    lines.push('', 'exact latency vs size (ms, wall p50/p99 · cpu p50/p99):');
    for (const s of r.sweep) {
      lines.push(`  ${String(s.size).padStart(7)}: ${f(s.p50Ms)} / ${f(s.p99Ms)} · ${f(s.cpuP50Ms)} / ${f(s.cpuP99Ms)}`);
    }
  }
  lines.push('', `peak RSS ${f(r.peakRssMB, 0)} MB (benchmark process: dataset + both indexes), total ${f(r.totalS, 0)} s`);
  return lines.join('\n');
}

function parseArgs(argv: string[]): Partial<BenchOptions> & { json?: boolean } {
  const out: Partial<BenchOptions> & { json?: boolean } = {};
  const list = (s: string) => s.split(',').filter(Boolean).map(Number);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = () => argv[++i] ?? '';
    if (a === '--n') out.n = Number(v());
    else if (a === '--dim') out.dimension = Number(v());
    else if (a === '--queries') out.queries = Number(v());
    else if (a === '--k') out.k = Number(v());
    else if (a === '--m') out.m = Number(v());
    else if (a === '--efc') out.efConstruction = Number(v());
    else if (a === '--ef') out.efSearch = list(v());
    else if (a === '--sweep') out.sweep = list(v());
    else if (a === '--seed') out.seed = Number(v());
    else if (a === '--json') out.json = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === '--load-child') {
    await loadChild(process.argv[3]!);
  } else {
    const { json, ...opts } = parseArgs(process.argv.slice(2));
    const result = await benchSearch({ ...opts, log: (l) => console.error(l) });
    console.log(json ? JSON.stringify(result, null, 2) : report(result));
  }
}
