// esbuild plugin for a faster import of the zip functions' bundles (issue 16), measured by
// `npm run bench -- packages`. Two things a fresh Lambda process pays for at import and never uses:
//
// 1. ES-module imports of Node built-ins. Node builds an ES-module facade for `import … from 'node:http'`
//    that reads every export once, lazy getters included: `http.WebSocket` & co. load Node's bundled
//    undici (~25 ms here), `tls.rootCertificates` parses the CA store, `crypto.webcrypto` loads
//    WebCrypto. A CommonJS `require()` builds no facade, and esbuild's interop reads a property only
//    where the code uses it. So each built-in imported from ES modules becomes a one-line CommonJS
//    module; its `require` is the banner's createRequire (serverless.yml custom.esbuild.banner).
// 2. zod's locales. `zod` re-exports all of its ~45 locales as a namespace (`z.locales`), which no
//    bundler can tree-shake: 260 KiB of every bundle. zod registers English itself; nothing of ours
//    reads `z.locales`, so the namespace is cut to English alone.
// 3. The AWS SDK's developer credential sources. The default chain tries, in order: environment, SSO,
//    shared config/credentials files (profiles, assume-role), credential_process, web-identity token
//    file, then container/instance metadata. A Lambda function gets its role's credentials from the
//    environment; on ECS/EC2 the metadata endpoints serve them. The four in between read a developer's
//    ~/.aws and, with the STS/SSO/sign-in clients they pull in, are ~95 KiB of every bundle. They become
//    stubs that pass to the next source, so environment, container and instance metadata still work.
//    Only the zip bundles (AWS stages) get this; the local stage and the CLI run the unbundled code.
'use strict';
const { builtinModules } = require('node:module');

const BUILTINS = new Set(builtinModules.flatMap((m) => (m.startsWith('node:') ? [m] : [m, `node:${m}`])));
const NAMESPACE = 'builtin-cjs';
const ZOD_LOCALES = /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;
const SKIPPED_CREDENTIALS = {
  '@aws-sdk/credential-provider-sso': 'fromSSO',
  '@aws-sdk/credential-provider-ini': 'fromIni',
  '@aws-sdk/credential-provider-process': 'fromProcess',
  '@aws-sdk/credential-provider-web-identity': 'fromTokenFile',
};
const CREDENTIALS_NAMESPACE = 'skipped-credentials';

function leanBundle() {
  return {
    name: 'lean-bundle',
    setup(build) {
      build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) => {
        if (args.kind !== 'import-statement' && args.kind !== 'dynamic-import') return undefined;
        if (!BUILTINS.has(args.path)) return undefined;
        return { path: args.path.replace(/^node:/, ''), namespace: NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
        loader: 'js',
      }));
      build.onResolve({ filter: /^@aws-sdk\/credential-provider-(sso|ini|process|web-identity)$/ }, (args) => ({
        path: args.path,
        namespace: CREDENTIALS_NAMESPACE,
        pluginData: { resolveDir: args.resolveDir }, // the SDK's own copy of @smithy/core
      }));
      build.onLoad({ filter: /.*/, namespace: CREDENTIALS_NAMESPACE }, (args) => ({
        // tryNextLink: the chain goes on to the next source, as when such a source finds nothing.
        contents: `import { CredentialsProviderError } from '@smithy/core/config';
export const ${SKIPPED_CREDENTIALS[args.path]} = (init = {}) => async () => {
  throw new CredentialsProviderError('${args.path} is not in this Lambda bundle (infra/build/lean-bundle.cjs)', { logger: init.logger, tryNextLink: true });
};`,
        loader: 'js',
        resolveDir: args.pluginData.resolveDir,
      }));
      build.onLoad({ filter: ZOD_LOCALES }, () => ({
        contents: 'export { default as en } from "./en.js";',
        loader: 'js',
      }));
    },
  };
}

module.exports = { leanBundle };
