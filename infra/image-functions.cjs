// The container-image functions, each declared once in functions/<capability>/<name>.image.yml with
// its `handler`, like a zip function (a file holds one function, or a map of them by key). On AWS
// stages the handler becomes `image: { uri: imageUri, command: [handler] }`: the project's one image
// (infra/docker) with models, ffmpeg and native addons inside. On the local stage the function stays
// a zip function, which serverless-offline can run. (The framework refuses `handler` and `image`
// together, hence the rewrite.) Used as `${file(infra/image-functions.cjs):photos/analyse}`.
// CommonJS because osls `require`s a JS variable file (the project is ESM).
'use strict';

const { readdirSync } = require('node:fs');
const { join } = require('node:path');

const functionsDir = join(__dirname, '..', 'functions');

function packaged(def, imageUri) {
  if (imageUri === undefined) return def;
  const { handler, ...rest } = def;
  return { image: { uri: imageUri, command: [handler] }, ...rest };
}

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const imageUri = stage === 'local' ? undefined : await resolveVariable('param:imageUri');
  const out = {};
  const capabilities = readdirSync(functionsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  for (const capability of capabilities) {
    for (const file of readdirSync(join(functionsDir, capability)).filter((f) => f.endsWith('.image.yml'))) {
      const key = `${capability}/${file.slice(0, -'.image.yml'.length)}`;
      const def = await resolveVariable(`file(functions/${capability}/${file})`);
      if (typeof def?.handler === 'string') out[key] = packaged(def, imageUri);
      else out[key] = Object.fromEntries(Object.entries(def).map(([k, d]) => {
        if (typeof d?.handler !== 'string') throw new Error(`${key}.${k}: an image function needs a handler`);
        return [k, packaged(d, imageUri)];
      }));
    }
  }
  return out;
};
