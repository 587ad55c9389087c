#!/usr/bin/env node
'use strict';
// fluxcap runs its TypeScript through SWC. It needs Node 24: when started by an older system node (outside
// npm scripts / npx), hand over to the Node 24 the workspace installs in node_modules/.bin.
const path = require('node:path');
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '../../..');
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  const local = path.join(root, 'node_modules', '.bin', 'node');
  if (!process.env.FLUX_REEXEC && fs.existsSync(local)) {
    const r = spawnSync(local, [__filename, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, FLUX_REEXEC: '1' },
    });
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`fluxcap: Node.js 24 or newer is required (this is ${process.version}); run npm ci first\n`);
  process.exit(1);
}
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.base.json');
require('@swc-node/register');
require('../src/main.ts');
