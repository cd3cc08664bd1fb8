// esbuild plugins of the zip functions' bundles (serverless.yml `custom.esbuild.plugins`).
'use strict';
const { nativeGuard } = require('./native-guard.cjs');

module.exports = [nativeGuard()];
