// Native-dependency guard of the zip functions' esbuild bundles (serverless-esbuild loads it through
// infra/build/esbuild-plugins.cjs; CommonJS because the plugin `require`s it).
//
// A zip function must not need a native addon, a binary, a WASM file or model files: those live in the
// container image of the heavy functions (infra/docker) and are what made the old shared zip 148 MB.
// The esbuild plugin marks every such import external (so the bundle completes and the whole list can be
// reported at once), then fails the build naming each import and the chain from the handler to it:
// the fix is to make that function an image function (like functions/photos/analyse.image.yml) or to drop
// the import from its module graph.
'use strict';

/** Package names (bare specifiers, any subpath) that only the container image may carry. */
const FORBIDDEN_PACKAGES = [
  { test: /^sharp(\/|$)/, why: 'sharp (native libvips addon)' },
  { test: /^@img\//, why: 'sharp binaries (@img/sharp-*)' },
  { test: /^hnswlib-node(\/|$)/, why: 'hnswlib-node (native addon)' },
  { test: /^onnxruntime-(node|web|common)(\/|$)/, why: 'onnxruntime (native addon / WASM)' },
  { test: /^@tensorflow\//, why: 'TensorFlow.js (WASM backend, kernels)' },
  { test: /^@vladmandic\//, why: 'human / human-models (TensorFlow.js, model files)' },
  { test: /^@ffmpeg-installer\//, why: 'ffmpeg binary (@ffmpeg-installer)' },
  { test: /^@ffprobe-installer\//, why: 'ffprobe binary (@ffprobe-installer)' },
  { test: /^ffmpeg-static(\/|$)|^ffprobe-static(\/|$)/, why: 'ffmpeg/ffprobe binary' },
];

/** Files that are binaries or model weights, whatever imports them. */
const FORBIDDEN_FILES = [
  { test: /\.node$/, why: 'native addon (.node)' },
  { test: /\.(onnx|tflite|pb|wasm)$/, why: 'model / WASM file' },
  { test: /(^|\/)models?\/.*\.(json|bin)$/, why: 'model file' },
];

/** Why `specifier` (an import path or a bundled input path) may not be in a zip bundle, or undefined. */
function forbiddenReason(specifier) {
  const path = specifier.replace(/\\/g, '/');
  const inModules = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+.*)$/.exec(path);
  const pkgPath = inModules ? inModules[1] : path;
  for (const p of FORBIDDEN_PACKAGES) if (p.test.test(pkgPath)) return p.why;
  for (const f of FORBIDDEN_FILES) if (f.test.test(path)) return f.why;
  return undefined;
}

/**
 * Every forbidden import in an esbuild metafile (`{ inputs, outputs }`), with the import chain from the
 * entry point: `[{ entry, importPath, why, chain: [entry, …, importer] }]`. Pure: unit-tested with fake
 * metafiles (test/unit/core/native-guard.test.ts).
 */
function findForbidden(metafile) {
  const inputs = metafile.inputs ?? {};
  const entries = Object.values(metafile.outputs ?? {})
    .map((o) => o.entryPoint)
    .filter(Boolean);
  const found = [];
  const seen = new Set();
  for (const entry of entries.length ? entries : Object.keys(inputs).slice(0, 1)) {
    // Breadth-first from the entry: the first chain reaching an input is the shortest one.
    const parent = new Map([[entry, undefined]]);
    const queue = [entry];
    const chainTo = (node) => {
      const chain = [];
      for (let n = node; n !== undefined; n = parent.get(n)) chain.unshift(n);
      return chain;
    };
    while (queue.length) {
      const node = queue.shift();
      const why = node !== entry ? forbiddenReason(node) : undefined;
      if (why) {
        const key = `${entry}\0${node}`;
        if (!seen.has(key)) {
          seen.add(key);
          found.push({ entry, importPath: node, why, chain: chainTo(parent.get(node)) });
        }
        continue; // report the first forbidden module on a path, not everything under it
      }
      for (const imp of inputs[node]?.imports ?? []) {
        const target = imp.external ? imp.original ?? imp.path : imp.path;
        if (imp.external) {
          const whyExt = forbiddenReason(target);
          const key = `${entry}\0${target}`;
          if (whyExt && !seen.has(key)) {
            seen.add(key);
            found.push({ entry, importPath: target, why: whyExt, chain: chainTo(node) });
          }
          continue;
        }
        if (!parent.has(target)) {
          parent.set(target, node);
          queue.push(target);
        }
      }
    }
  }
  return found;
}

/** The error text for `findForbidden`'s result (one line per import, then the fix). */
function formatForbidden(found) {
  const lines = found.map(
    (f) => `  ${f.entry}: ${f.importPath} — ${f.why}\n    via ${[...f.chain, f.importPath].join(' → ')}`,
  );
  return (
    `zip function bundle pulls in native/binary/model dependencies:\n${lines.join('\n')}\n` +
    'Only container-image functions (infra/docker) may use them: give this function an `image:` ' +
    'definition on AWS stages (see functions/photos/analyse.image.yml), or remove the import from its module graph.'
  );
}

/** The esbuild plugin: forbidden bare imports become externals (reported at the end), then the check. */
function nativeGuard() {
  return {
    name: 'panoptes-native-guard',
    setup(build) {
      build.initialOptions.metafile = true;
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        forbiddenReason(args.path) ? { path: args.path, external: true } : undefined,
      );
      build.onEnd((result) => {
        if (!result.metafile) return;
        const found = findForbidden(result.metafile);
        if (found.length) throw new Error(formatForbidden(found));
      });
    },
  };
}

module.exports = { nativeGuard, findForbidden, forbiddenReason, formatForbidden };
