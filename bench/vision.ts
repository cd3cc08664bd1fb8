/**
 * Vision figures on the image fixtures: model load (cold, in this process), then warm ms/image for person
 * detection and for face extraction (detect + embed), N repetitions over all fixtures, p50/p99, and RSS.
 * `npx tsx bench/vision.ts [reps]` prints JSON; bench/run.ts calls benchVision().
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { detectFaces, detectPersons, loadPersonModel } from '../shared/vision/detect.js';
import { getVisionRuntime, loadFaceModels } from '../shared/vision/model.js';
import { isMain, machine, percentile, printTable } from './util.js';

const FIXTURES = ['messi5.jpg', 'basketball1.png', 'basketball2.png'];

interface Timing {
  samples: number;
  p50: number;
  p99: number;
  mean: number;
  /** Mean CPU ms (user + system) per image: less sensitive than wall time to other load on the machine. */
  cpuMean: number;
}

export interface VisionBenchResult {
  machine: string;
  models: { person: string; face: string };
  wasm: { simd: boolean; threads: boolean; binary: string };
  /** Cold figures (only meaningful when this process had not loaded the models before the call). */
  load: {
    /** Import human's bundle + start the WASM backend. */
    runtimeMs: number;
    personModelMs: number;
    faceModelsMs: number;
    /** First inference after load (kernel set-up): what a cold Lambda adds to its first request. */
    firstPersonMs: number;
    firstFaceMs: number;
  };
  /** Warm ms per image, decode included. */
  person: Timing;
  face: Timing & { facesPerImage: number };
  rssMb: number;
  heapUsedMb: number;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const timing = (ms: number[], cpuMs: number): Timing => ({
  samples: ms.length,
  p50: round(percentile(ms, 50)),
  p99: round(percentile(ms, 99)),
  mean: round(ms.reduce((s, v) => s + v, 0) / ms.length),
  cpuMean: round(cpuMs / ms.length),
});
const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
};

export async function benchVision(reps = 10): Promise<VisionBenchResult> {
  const images = await Promise.all(
    FIXTURES.map((f) => readFile(fileURLToPath(new URL(`../test/fixtures/${f}`, import.meta.url)))),
  );
  const runtime = await getVisionRuntime();
  const person = await loadPersonModel();
  let t = performance.now();
  await detectPersons(images[0]!);
  const firstPersonMs = performance.now() - t;
  const face = await loadFaceModels();
  t = performance.now();
  await detectFaces(images[0]!);
  const firstFaceMs = performance.now() - t;

  const personMs: number[] = [];
  const faceMs: number[] = [];
  let faces = 0;
  let personCpu = 0;
  let faceCpu = 0;
  for (let i = 0; i < reps; i++) {
    for (const img of images) {
      let cpu = process.cpuUsage();
      t = performance.now();
      await detectPersons(img);
      personMs.push(performance.now() - t);
      personCpu += cpuMsSince(cpu);
      cpu = process.cpuUsage();
      t = performance.now();
      faces += (await detectFaces(img)).faces.length;
      faceMs.push(performance.now() - t);
      faceCpu += cpuMsSince(cpu);
    }
  }

  const mem = process.memoryUsage();
  const result: VisionBenchResult = {
    machine: machine(),
    models: { person: person.engine.id, face: face.id },
    wasm: runtime.wasm,
    load: {
      runtimeMs: round(runtime.initMs),
      personModelMs: round(person.engine.loadMs),
      faceModelsMs: round(face.loadMs),
      firstPersonMs: round(firstPersonMs),
      firstFaceMs: round(firstFaceMs),
    },
    person: timing(personMs, personCpu),
    face: { ...timing(faceMs, faceCpu), facesPerImage: round(faces / faceMs.length, 2) },
    rssMb: round(mem.rss / 2 ** 20),
    heapUsedMb: round(mem.heapUsed / 2 ** 20),
  };
  const l = result.load;
  printTable(`vision: human on tfjs-wasm (${runtime.wasm.binary}), ${reps} reps × ${images.length} fixtures`, [
    { what: 'load: runtime / person model / face models', ms: `${l.runtimeMs} / ${l.personModelMs} / ${l.faceModelsMs}` },
    { what: 'first call: person / face', ms: `${l.firstPersonMs} / ${l.firstFaceMs}` },
    { what: `person (${result.models.person}) ms/image p50 / p99 / cpu`, ms: `${result.person.p50} / ${result.person.p99} / ${result.person.cpuMean}` },
    { what: `face (${result.models.face}) ms/image p50 / p99 / cpu`, ms: `${result.face.p50} / ${result.face.p99} / ${result.face.cpuMean}` },
    { what: 'process RSS MB', ms: result.rssMb },
  ]);
  return result;
}

if (isMain(import.meta.url)) {
  const reps = Number(process.argv[2] ?? 10);
  console.log(JSON.stringify(await benchVision(reps), null, 2));
  process.exit(0);
}
