/**
 * `npm run bench -- accuracy`: how right the people counts are, per labelled set and per person model,
 * with today's detector (CenterNet, minScore 0.25, no counting rules) as the baseline in the same run.
 *
 * Sets:
 * - dev: ../shared/datasets/people-count (53 crowd images, the datasets' own head counts), when present.
 *   Research/evaluation data: read in place, never copied.
 * - fixtures: test/fixtures/people-counts.json (3 photos, counted by eye).
 * - clip: test/fixtures/pedestrian-counts.json (12 frames of the pedestrian clip, counted by eye).
 * "sparse" = fixtures + clip (2–9 people).
 *
 * Each model runs once per image in its own process (so peak RSS is its own) at a low score floor; the
 * counting rules are then applied to those candidates for every setting in a grid. Knobs fitted on the data
 * are scored by 5-fold cross-validation: fit on 4/5, count the held-out 1/5, so every image is counted by
 * settings that never saw it. Objective: dev MAPE + sparse MAE / 10 (one person of sparse error weighs as
 * much as 10 % crowd error). "shipped" rows use the model's defaults in shared/vision/persons/engines.ts
 * (fitted on all of this data, hence optimistic; the CV rows are the honest figures).
 *
 * Usage: npm run bench -- accuracy            (baseline, coco-ssd, centernet + rules, yolov8n)
 *        ACCURACY_MODELS=yolov8n,coco-ssd npm run bench -- accuracy
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { countPersons, type CountSettings, type TiledCandidate } from '../shared/vision/persons/counting.js';
import { crowdOf, fastCount, fitSettings, prepare, productCount, type Params, type Prepared } from '../shared/vision/persons/calibrate.js';
import { MODEL_DEFAULTS, type BundledModel } from '../shared/vision/persons/engines.js';
import { isMain, machine, percentile, printTable } from './util.js';

const root = path.resolve(import.meta.dirname, '..');
const DEV_DIR = path.resolve(root, '../shared/datasets/people-count');
const FOLDS = 5;
/** Objective weight of one person of sparse MAE, in units of dev MAPE (0.1 = as much as 10 % crowd error). */
const SPARSE_WEIGHT = Number(process.env.ACCURACY_SPARSE_WEIGHT ?? 0.1);

interface Item {
  set: 'dev' | 'fixtures' | 'clip';
  name: string;
  truth: number;
}

type BenchItem = Collected['items'][number];

interface Collected {
  model: string;
  id: string;
  licence: string;
  threads: number;
  rssMb: number;
  loadMs: number;
  /** Whole-image pass; with crowd tiles also the tiled candidates (whole + tiles) and their ms. */
  items: Array<Item & { ms: number; width: number; height: number; candidates: TiledCandidate[]; tiled?: TiledCandidate[]; tiledMs?: number }>;
}

// ---------------------------------------------------------------------------------------------------------
// The labelled items

function items(): { list: Item[]; devPresent: boolean } {
  const list: Item[] = [];
  const devPresent = existsSync(path.join(DEV_DIR, 'labels.json'));
  if (devPresent) {
    const labels = JSON.parse(readFileSync(path.join(DEV_DIR, 'labels.json'), 'utf8')) as { frames: Record<string, number> };
    for (const [name, truth] of Object.entries(labels.frames)) list.push({ set: 'dev', name, truth });
  }
  const fx = JSON.parse(readFileSync(path.join(root, 'test/fixtures/people-counts.json'), 'utf8')) as { images: Record<string, { count: number }> };
  for (const [name, v] of Object.entries(fx.images)) list.push({ set: 'fixtures', name, truth: v.count });
  const clip = JSON.parse(readFileSync(path.join(root, 'test/fixtures/pedestrian-counts.json'), 'utf8')) as { frames: Array<{ t: number; count: number }> };
  for (const f of clip.frames) list.push({ set: 'clip', name: `t=${f.t.toFixed(1)}`, truth: f.count });
  return { list, devPresent };
}

async function clipFrame(t: number): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { ffmpegPath } = await import('../shared/video/ffmpeg.js');
  const file = path.join(root, 'test/fixtures/pedestrians_0-30s.mp4');
  // Accurate seek (-ss after -i): the frame at exactly t, as counted in pedestrian-counts.json.
  const { stdout } = await promisify(execFile)(ffmpegPath(), ['-v', 'error', '-i', file, '-ss', String(t), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 64 << 20 });
  return { data: new Uint8Array(stdout), width: 768, height: 576 };
}

// ---------------------------------------------------------------------------------------------------------
// Child: one model over every item

async function collect(model: string): Promise<Collected> {
  const { loadPersonModel } = await import('../shared/vision/detect.js');
  // name[@inputSide][+RxC tiles], e.g. yolov8n@832, coco-ssd+2x2
  const [, name, input, tiles] = /^([^@+]+)(?:@(\d+))?(?:\+(\dx\d))?$/.exec(model) ?? [];
  if (!name) throw new Error(`accuracy: bad model spec ${model}`);
  const pm = await loadPersonModel({ model: name, ...(input ? { inputSide: Number(input) } : {}), ...(tiles ? { tiles } : {}) });
  const { list } = items();
  const load = async (it: Item) =>
    it.set === 'dev'
      ? await readFile(path.join(DEV_DIR, it.name))
      : it.set === 'fixtures'
        ? await readFile(path.join(root, 'test/fixtures', it.name))
        : { ...(await clipFrame(Number(it.name.slice(2)))), channels: 3 as const };
  const { candidatesForFitting } = await import('../shared/vision/detect.js');
  await candidatesForFitting(await load(list[0]!), pm); // warm-up: kernel set-up is not per image
  const out: Collected['items'] = [];
  for (const it of list) {
    const r = await candidatesForFitting(await load(it), pm);
    out.push({ ...it, ...r, candidates: r.candidates.map(round), ...(r.tiled ? { tiled: r.tiled.map(round) } : {}) });
  }
  return {
    model,
    id: pm.engine.id,
    licence: pm.engine.licence,
    threads: pm.engine.id.includes('onnx') || model.startsWith('yolo') ? 2 : 1,
    rssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    loadMs: Math.round(pm.engine.loadMs),
    items: out,
  };
}

const round = (c: TiledCandidate): TiledCandidate => ({
  x1: Math.round(c.x1 * 10) / 10,
  y1: Math.round(c.y1 * 10) / 10,
  x2: Math.round(c.x2 * 10) / 10,
  y2: Math.round(c.y2 * 10) / 10,
  score: Math.round(c.score * 1e4) / 1e4,
  ...(c.tile !== undefined ? { tile: c.tile } : {}),
});

/**
 * One model in a child process of its own (its peak RSS is the model's), results through a file.
 * ACCURACY_CACHE=dir keeps them there and reuses them (to iterate on the counting rules without detecting again).
 */
async function runChild(model: string): Promise<Collected> {
  const cache = process.env.ACCURACY_CACHE;
  const cached = cache ? path.join(cache, `${model.replace(/[^A-Za-z0-9@+.-]/g, '_')}.json`) : undefined;
  if (cached && existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as Collected;
  const out = await collectInChild(model);
  if (cached) {
    mkdirSync(cache!, { recursive: true });
    writeFileSync(cached, JSON.stringify(out));
  }
  return out;
}

function collectInChild(model: string): Promise<Collected> {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'panoptes-accuracy-')), 'out.json');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'accuracy.ts'), '--collect', model, file], { stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`accuracy: collecting ${model} exited ${code}`));
      const out = JSON.parse(readFileSync(file, 'utf8')) as Collected;
      rmSync(path.dirname(file), { recursive: true, force: true });
      resolve(out);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Fitting and scoring

/** dev MAPE + SPARSE_WEIGHT × sparse MAE. */
function objective(ps: Prepared<BenchItem>[], s: Params): number {
  let ape = 0, nDev = 0, ae = 0, nSparse = 0;
  for (const p of ps) {
    const e = Math.abs(fastCount(p, s) - p.item.truth);
    if (p.item.set === 'dev') { ape += e / p.item.truth; nDev++; } else { ae += e; nSparse++; }
  }
  return (nDev ? ape / nDev : 0) + (nSparse ? (SPARSE_WEIGHT * ae) / nSparse : 0);
}

const fit = (ps: Prepared<BenchItem>[]) => fitSettings(ps, objective);

/** Held-out counts: each item counted with settings fitted on the folds it is not in. */
function crossValidated(ps: Prepared<BenchItem>[]): Map<Prepared<BenchItem>, { count: number; ms: number }> {
  const fold = new Map<Prepared<BenchItem>, number>();
  for (const set of ['dev', 'fixtures', 'clip'] as const) ps.filter((p) => p.item.set === set).forEach((p, i) => fold.set(p, i % FOLDS));
  const out = new Map<Prepared<BenchItem>, { count: number; ms: number }>();
  for (let f = 0; f < FOLDS; f++) {
    const s = fit(ps.filter((p) => fold.get(p) !== f));
    for (const p of ps) if (fold.get(p) === f) out.set(p, { count: fastCount(p, s), ms: msOf(p.item, crowdOf(p, s)) });
  }
  return out;
}

type Row = { variant: string; set: string; n: number; MAE: number; 'MAPE %': number; bias: number; 'ms p50': number; 'ms p99': number; 'RSS MB': number; threads: number };

/** Time of the path taken: the whole-image pass, plus the tiles when a crowd was seen (tiledMs includes both). */
const msOf = (it: Collected['items'][number], crowd: boolean) => (crowd && it.tiledMs !== undefined ? it.tiledMs : it.ms);

function rows(variant: string, c: Collected, counts: (it: Collected['items'][number]) => { count: number; ms: number }): Row[] {
  const sets: Array<[string, (it: Item) => boolean]> = [
    ['dev', (it) => it.set === 'dev'],
    ['fixtures', (it) => it.set === 'fixtures'],
    ['clip', (it) => it.set === 'clip'],
    ['sparse', (it) => it.set !== 'dev'],
  ];
  const out: Row[] = [];
  for (const [set, pick] of sets) {
    const its = c.items.filter(pick);
    if (!its.length) continue;
    const got = its.map(counts);
    const err = its.map((it, i) => got[i]!.count - it.truth);
    const ms = got.map((g) => g.ms);
    out.push({
      variant,
      set,
      n: its.length,
      MAE: r2(err.reduce((s, e) => s + Math.abs(e), 0) / its.length),
      'MAPE %': r1((100 * its.reduce((s, it, i) => s + Math.abs(err[i]!) / it.truth, 0)) / its.length),
      bias: r2(err.reduce((s, e) => s + e, 0) / its.length),
      'ms p50': r1(percentile(ms, 50)),
      'ms p99': r1(percentile(ms, 99)),
      'RSS MB': c.rssMb,
      threads: c.threads,
    });
  }
  return out;
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;

export interface AccuracyResult {
  machine: string;
  devPresent: boolean;
  rows: Row[];
  fitted: Record<string, Params>;
}

export async function benchAccuracy(): Promise<AccuracyResult> {
  const { devPresent } = items();
  console.log(
    devPresent
      ? `\naccuracy: development set found at ${DEV_DIR}`
      : `\naccuracy: development set NOT found (${DEV_DIR} absent): only the sparse sets (fixtures, clip) are scored`,
  );
  const models = (process.env.ACCURACY_MODELS ?? 'centernet,coco-ssd,yolov8n').split(',').filter(Boolean);
  const collected = new Map<string, Collected>();
  for (const m of models) collected.set(m, await runChild(m));

  const all: Row[] = [];
  const fitted: Record<string, Params> = {};
  const baseline = collected.get('centernet');
  if (baseline) {
    // Today's detector: CenterNet, minScore 0.25, IoU 0.5, no crowd rule, no top-edge rule.
    const s: CountSettings = { minScore: 0.25, iou: 0.5, ignoreTopEdge: false };
    all.push(...rows('baseline: centernet 0.25, no rules', baseline, (it) => ({ count: Math.min(100, countPersons(it.candidates, it, s).count), ms: it.ms })));
  }
  for (const [m, c] of collected) {
    const ps = prepare(c.items);
    const cv = crossValidated(ps);
    const byItem = new Map(ps.map((p) => [p.item, p] as const));
    all.push(...rows(`${m} (${c.licence}) CV-fitted`, c, (it) => cv.get(byItem.get(it)!)!));
    if (process.env.ACCURACY_DETAIL) {
      console.log(`\n${m}: held-out count vs truth per item`);
      console.log(c.items.map((it) => `${it.name}: ${cv.get(byItem.get(it)!)!.count} / ${it.truth}`).join('\n'));
    }
    const name = m.split(/[@+]/)[0] as BundledModel;
    const shipped = MODEL_DEFAULTS[name]?.count;
    if (shipped) {
      all.push(...rows(`${m} shipped defaults`, c, (it) => {
        const crowd = crowdOf(byItem.get(it)!, shipped);
        return { count: productCount(it, shipped, crowd), ms: msOf(it, crowd) };
      }));
    }
    fitted[m] = fit(ps);
    // The fast evaluator must agree with the product's counting code.
    for (const p of ps) {
      const a = fastCount(p, fitted[m]);
      const b = productCount(p.item, fitted[m], crowdOf(p, fitted[m]));
      if (a !== b) throw new Error(`accuracy: evaluator disagrees with countPersons on ${p.item.name} (${a} vs ${b})`);
    }
  }
  printTable('accuracy: people counts per set (MAE in persons, MAPE in %, bias = mean signed error; ms = decode + inference per image)', all);
  console.log('settings fitted on all items (what the CV rows would ship):');
  for (const [m, s] of Object.entries(fitted)) console.log(`  ${m}: ${JSON.stringify(s)}`);
  for (const [m, c] of collected) console.log(`  ${m}: model ${c.id}, licence ${c.licence}, load ${c.loadMs} ms, threads ${c.threads}`);
  return { machine: machine(), devPresent, rows: all, fitted };
}

if (isMain(import.meta.url)) {
  const i = process.argv.indexOf('--collect');
  if (i > 0) {
    writeFileSync(process.argv[i + 2]!, JSON.stringify(await collect(process.argv[i + 1]!)));
    process.exit(0);
  }
  await benchAccuracy();
  process.exit(0);
}
