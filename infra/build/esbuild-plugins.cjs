// esbuild plugins of the zip functions' bundles (serverless.yml `custom.esbuild.plugins`).
'use strict';
const { nativeGuard } = require('./native-guard.cjs');
const { leanBundle } = require('./lean-bundle.cjs');

module.exports = [nativeGuard(), leanBundle()];
