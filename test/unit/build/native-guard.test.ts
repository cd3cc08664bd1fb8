import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { findForbidden, forbiddenReason, formatForbidden, nativeGuard } from '../../../infra/build/native-guard.cjs';

/** A metafile with one output (entry `entry`) and the given input → imports graph. */
function metafile(entry: string, graph: Record<string, Array<string | { path: string; external: true }>>): Metafile {
  const inputs: Metafile['inputs'] = {};
  for (const [file, imports] of Object.entries(graph)) {
    inputs[file] = {
      bytes: 1,
      imports: imports.map((i) => (typeof i === 'string' ? { path: i, kind: 'import-statement' as const } : { path: i.path, kind: 'import-statement' as const, external: true })),
    };
  }
  return { inputs, outputs: { 'out.mjs': { bytes: 1, inputs: {}, imports: [], exports: [], entryPoint: entry } } };
}

describe('native guard of the zip bundles', () => {
  it('names the packages, binaries and model files only images may carry', () => {
    for (const s of ['sharp', '@img/sharp-linux-x64/sharp.node', 'hnswlib-node', 'onnxruntime-node', '@tensorflow/tfjs-backend-wasm',
      '@vladmandic/human', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe', 'node_modules/@tensorflow/tfjs-core/dist/index.js',
      'models/coco-ssd/model.json', 'x/weights.onnx', 'build/Release/addon.node']) {
      expect(forbiddenReason(s), s).toBeTruthy();
    }
    for (const s of ['zod', '@aws-sdk/client-s3', 'node:fs', 'dist/shared/vision/persons/catalog.js', 'node_modules/sharpen/index.js', 'dist/shared/registry/detector.js']) {
      expect(forbiddenReason(s), s).toBeUndefined();
    }
  });

  it('finds a forbidden external and a bundled forbidden input, with the chain from the handler', () => {
    const found = findForbidden(metafile('dist/functions/a.js', {
      'dist/functions/a.js': ['dist/shared/b.js', 'node_modules/zod/index.js'],
      'dist/shared/b.js': [{ path: 'sharp', external: true }, 'node_modules/@tensorflow/tfjs-core/dist/index.js'],
      'node_modules/zod/index.js': [],
      'node_modules/@tensorflow/tfjs-core/dist/index.js': ['node_modules/@tensorflow/tfjs-core/dist/ops.js'],
    }));
    expect(found.map((f) => f.importPath).sort()).toEqual(['node_modules/@tensorflow/tfjs-core/dist/index.js', 'sharp']);
    expect(found.find((f) => f.importPath === 'sharp')!.chain).toEqual(['dist/functions/a.js', 'dist/shared/b.js']);
    const text = formatForbidden(found);
    expect(text).toContain('dist/functions/a.js → dist/shared/b.js → sharp');
    expect(text).toContain('image');
  });

  it('passes a bundle without them', () => {
    expect(findForbidden(metafile('dist/functions/a.js', {
      'dist/functions/a.js': ['node_modules/zod/index.js', { path: '@aws-sdk/client-s3', external: true }],
      'node_modules/zod/index.js': [],
    }))).toEqual([]);
  });

  it('fails a real esbuild build that imports sharp, and lets a clean one through', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'native-guard-'));
    writeFileSync(join(dir, 'bad.js'), "import sharp from 'sharp';\nexport const handler = () => sharp;\n");
    writeFileSync(join(dir, 'good.js'), "import * as z from 'zod';\nexport const handler = () => z.string();\n");
    const opts: BuildOptions = { bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'silent', plugins: [nativeGuard()], nodePaths: [join(process.cwd(), 'node_modules')] };
    await expect(build({ ...opts, entryPoints: [join(dir, 'bad.js')] })).rejects.toThrow(/sharp — sharp \(native libvips addon\)/);
    await expect(build({ ...opts, entryPoints: [join(dir, 'good.js')] })).resolves.toBeDefined();
  });
});
