import { access, readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { Command } from 'commander';
import * as z from 'zod';
import { isCameraId } from '../shared/clips/keys.js';
import { pointInPolygon } from '../shared/rules/geometry.js';
import { DETECTOR_FIELDS, parseDetectorSettings, type DetectorSettings } from '../shared/clips/registry/detector.js';
import type { Params } from '../shared/vision/persons/calibrate.js';
import { groundPoint, isCrowd, personShaped, type TiledCandidate } from '../shared/vision/persons/counting.js';
import { apiClient, unwrap } from './api/client.js';

/**
 * `panoptes calibrate --camera X --labels counts.json`: fits one camera's detector thresholds to a handful of
 * operator-counted photos and stores them (PUT /cameras/X/detector), keeping the camera's masks, count
 * region and size bounds. The person model runs here, on this machine (the one the API reports the
 * functions run, unless --model says otherwise): one detection pass per image, then every setting of the
 * grid (shared/vision/persons/calibrate.ts) is a recount. The table shows, per image, the count with the
 * model's defaults, with the fitted settings, and held out (leave-one-out: fitted on the other images),
 * which is what to expect on photos the fit has not seen.
 */
export const MIN_IMAGES = 3;

const labelsSchema = z.object({
  images: z
    .array(
      z
        .object({
          file: z.string().min(1).optional(),
          url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
          count: z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be ≥ 0'),
        })
        .refine((i) => (i.file === undefined) !== (i.url === undefined), 'give either "file" or "url"'),
      { error: 'must be an array of { "file" | "url", "count" }' },
    )
    .min(MIN_IMAGES, `at least ${MIN_IMAGES} labelled images are needed to fit and cross-check settings`),
}, { error: 'must be an object { "images": [...] }' });

export interface LabelledImage {
  /** What the table shows: the file name or the URL. */
  name: string;
  /** Absolute path or URL. */
  source: string;
  isUrl: boolean;
  count: number;
}

/** Reads and validates counts.json; paths are relative to it. Errors say which entry is wrong. */
export async function readLabels(file: string): Promise<LabelledImage[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read labels file ${file}: ${(err as Error).message}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`labels file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const r = labelsSchema.safeParse(raw);
  if (!r.success) {
    const what = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`).join('; ');
    throw new Error(`labels file ${file} is invalid: ${what}. Expected { "images": [ { "file": "photo.jpg", "count": 12 }, ... ] }`);
  }
  const base = dirname(resolve(file));
  return r.data.images.map((i) => (i.url !== undefined
    ? { name: i.url, source: i.url, isUrl: true, count: i.count }
    : { name: i.file!, source: resolve(base, i.file!), isUrl: false, count: i.count }));
}

async function imageBytes(img: LabelledImage): Promise<Buffer> {
  if (!img.isUrl) {
    try {
      return await readFile(img.source);
    } catch (err) {
      throw new Error(`cannot read image ${img.name} (${img.source}): ${(err as Error).message}`, { cause: err });
    }
  }
  const res = await fetch(img.source, { signal: AbortSignal.timeout(30_000) }).catch((err: unknown) => {
    throw new Error(`cannot fetch image ${img.source}: ${(err as Error).message}`, { cause: err });
  });
  if (!res.ok) throw new Error(`cannot fetch image ${img.source}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** The camera's settings the fit does not touch (size bounds, maxAspect, masks) applied to one image's candidates. */
export function keepStatic(s: DetectorSettings): (c: TiledCandidate) => boolean {
  const shape = { minArea: s.minArea, maxArea: s.maxArea, maxAspect: s.maxAspect };
  return (c) => {
    if (!personShaped(c, shape)) return false;
    const p = groundPoint(c);
    return !(s.masks ?? []).some((m) => pointInPolygon(p, m));
  };
}

/** The fields the fit decides. */
const FITTED = ['minScore', 'crowdMinScore', 'crowdFrom', 'crowdScale', 'iou', 'ignoreTopEdge', 'minAspect'] as const;

/**
 * What is stored: the fitted thresholds, in full. A fit without the crowd rule still names the crowd fields
 * (unset ones would take the model's defaults, whose crowd rule is on): crowdMinScore = minScore and
 * crowdFrom 1000 make it a no-op.
 */
export function storedFit(f: Params): Pick<DetectorSettings, (typeof FITTED)[number]> {
  const crowd = f.crowdFrom !== undefined && f.crowdMinScore !== undefined;
  return {
    minScore: f.minScore,
    crowdMinScore: crowd ? f.crowdMinScore! : f.minScore,
    crowdFrom: crowd ? f.crowdFrom! : 1000,
    crowdScale: crowd ? (f.crowdScale ?? 1) : 1,
    iou: f.iou,
    ignoreTopEdge: f.ignoreTopEdge,
    minAspect: f.minAspect ?? 0, // 0: no shape rule (the model's default may have one)
  };
}

/** The camera's stored settings with the fitted thresholds in place of its old ones (masks, region, sizes kept). */
export function mergeFit(current: DetectorSettings, f: Params): DetectorSettings {
  const kept = Object.fromEntries(Object.entries(current).filter(([k]) => !(FITTED as readonly string[]).includes(k)));
  return { ...kept, ...storedFit(f) };
}

export function describeFit(f: Params): string {
  const crowd = f.crowdFrom !== undefined && f.crowdMinScore !== undefined
    ? `crowd rule: from ${f.crowdFrom} persons count at ${f.crowdMinScore}, ×${f.crowdScale ?? 1}`
    : 'crowd rule off';
  return `minScore ${f.minScore}, ${crowd}, iou ${f.iou}, ignoreTopEdge ${f.ignoreTopEdge}, minAspect ${f.minAspect ?? 'off'}`;
}

/** Mean absolute error and the fit's relative error (|error| / max(5, truth): MAPE in crowds, ≈ MAE / 5 when sparse). */
export function errors(truth: readonly number[], counts: readonly number[]): { mae: number; rel: number } {
  let a = 0;
  let r = 0;
  truth.forEach((t, i) => {
    const e = Math.abs(counts[i]! - t);
    a += e;
    r += e / Math.max(5, t);
  });
  return { mae: a / truth.length, rel: r / truth.length };
}

interface DetectorView {
  cameraId: string;
  settings: DetectorSettings;
  model: string;
  updatedAt: string | null;
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description("fit a camera's detector thresholds to operator-counted photos (leave-one-out error printed) and store them")
    .requiredOption('--camera <cameraId>', 'camera (its cameraId: the same for photos and clips)')
    .requiredOption('--labels <file>', 'counts.json: { "images": [ { "file": "photo.jpg" | "url": "https://…", "count": 12 }, … ] }, files relative to it')
    .option('--api <url>', 'HTTP API base URL', process.env.PANOPTES_API ?? 'http://127.0.0.1:3000')
    .option('--key <key>', 'API key (x-api-key)', process.env.PANOPTES_API_KEY ?? 'local-dev-key')
    .option('--model <name|path>', 'person model to fit for (default: the one the API says the functions run)')
    .option('--dry-run', 'fit and print; store nothing')
    .action(async (o: { camera: string; labels: string; api: string; key: string; model?: string; dryRun?: boolean }) => {
      if (!isCameraId(o.camera)) throw new Error(`--camera must be 1–64 characters of A–Z a–z 0–9 _ . - (got ${JSON.stringify(o.camera)})`);
      const labels = await readLabels(o.labels);
      for (const img of labels) {
        if (!img.isUrl) await access(img.source).catch((err: unknown) => { throw new Error(`image ${img.name} (${img.source}) does not exist or cannot be read`, { cause: err }); });
      }
      const http = apiClient({ api: o.api, key: o.key });
      const params = { path: { cameraId: o.camera } };
      const what = `/cameras/${o.camera}/detector`;

      let current: DetectorView | undefined;
      try {
        current = unwrap(await http.GET('/cameras/{cameraId}/detector', { params }), `GET ${what}`) as DetectorView;
      } catch (err) {
        if (!o.dryRun) throw err;
        console.error(`panoptes: could not read the camera's settings (${(err as Error).message}); dry run with the local model and no stored settings`);
      }
      const stored = current?.settings ?? {};

      // Loaded only here: the other commands should not pay for the vision stack.
      const { candidatesForFitting, loadPersonModel, NotAnImageError } = await import('../shared/vision/detect.js');
      const { fastCount, fitSettings, leaveOneOut, prepare, productCount, relativeError } = await import('../shared/vision/persons/calibrate.js');
      const modelName = o.model ?? current?.model;
      let pm;
      try {
        pm = await loadPersonModel(modelName ? { model: modelName } : {});
      } catch (err) {
        throw new Error(`cannot load person model ${modelName ?? '(default)'} here: ${(err as Error).message}${o.model ? '' : ' (use --model to choose another)'}`, { cause: err });
      }

      const keep = keepStatic(stored);
      const items = [];
      for (const [i, img] of labels.entries()) {
        process.stderr.write(`detecting ${i + 1}/${labels.length}: ${img.name}\n`);
        const bytes = await imageBytes(img);
        let c;
        try {
          c = await candidatesForFitting(bytes, pm);
        } catch (err) {
          if (err instanceof NotAnImageError) throw new Error(`${img.name} is not an image this detector can read: ${err.message}`, { cause: err });
          throw err;
        }
        items.push({
          truth: img.count,
          width: c.width,
          height: c.height,
          candidates: c.candidates.filter(keep),
          ...(c.tiled ? { tiled: c.tiled.filter(keep) } : {}),
        });
      }

      const prepared = prepare(items);
      const fitted = fitSettings(prepared, relativeError);
      const heldOut = leaveOneOut(prepared, relativeError);
      const fittedCounts = prepared.map((p) => fastCount(p, fitted));
      const d = pm.defaults;
      const defaultCounts = items.map((it) => productCount(it, d, isCrowd(it.candidates, d)));
      const truth = items.map((it) => it.truth);

      const nameWidth = Math.max(16, ...labels.map((l) => basename(l.name).length));
      const row = (cells: Array<string | number>) => cells.map((c, i) => (i === 0 ? String(c).padEnd(nameWidth) : String(c).padStart(9))).join('  ');
      console.log(`camera ${o.camera} · model ${pm.engine.id} (${pm.engine.licence}) · ${labels.length} images`);
      console.log(row(['image', 'truth', 'defaults', 'fitted', 'held-out']));
      labels.forEach((l, i) => console.log(row([basename(l.name), truth[i]!, defaultCounts[i]!, fittedCounts[i]!, heldOut[i]!])));
      const e = [defaultCounts, fittedCounts, heldOut].map((c) => errors(truth, c));
      console.log(row(['MAE', '', ...e.map((x) => x.mae.toFixed(2))]));
      console.log(row(['mean rel. error', '', ...e.map((x) => `${(x.rel * 100).toFixed(1)}%`)]));
      console.log('(rel. error = |count − truth| / max(5, truth); held-out = counted with the settings fitted on the other images)');
      console.log(`fitted: ${describeFit(fitted)}`);
      if (e[2]!.mae > e[0]!.mae) {
        console.log('note: held out, the fitted settings count worse than the model defaults: these images do not support a per-camera fit (label more, or keep the defaults with DELETE /cameras/{id}/detector)');
      }

      const next = mergeFit(stored, fitted);
      const valid = parseDetectorSettings(next);
      if (!valid.ok) throw new Error(`fitted settings do not validate: ${valid.details.map((x) => `${x.path}: ${x.message}`).join('; ')}`);
      const kept = DETECTOR_FIELDS.filter((k) => stored[k] !== undefined && !(k in storedFit(fitted)));
      if (o.dryRun) {
        console.log(`dry run: nothing stored; would store ${JSON.stringify(next)}`);
        return;
      }
      const put = unwrap(await http.PUT('/cameras/{cameraId}/detector', { params, body: next }), `PUT ${what}`) as DetectorView;
      console.log(`stored for camera ${o.camera} at ${put.updatedAt}${kept.length ? ` (kept ${kept.join(', ')})` : ''}: ${JSON.stringify(put.settings)}`);
    });
}

