#!/usr/bin/env node
'use strict';
// fluxcap runs its TypeScript through SWC. It needs Node 24.11 or newer (require(esm) of NestJS, TypeORM 1.x): when
// started by an older system node (outside npm scripts / npx), hand over to the Node the workspace installs in
// node_modules/.bin.
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const os = require('node:os');

const root = path.resolve(__dirname, '../../..');
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 11)) {
  const local = path.join(root, 'node_modules', '.bin', 'node');
  if (!process.env.FLUX_REEXEC && fs.existsSync(local)) {
    const child = spawn(local, [__filename, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, FLUX_REEXEC: '1' },
    });
    // Ctrl-C reaches the whole foreground process group, the child included: this wrapper waits for the child to
    // finish what it does on SIGINT (fluxcap dev stops its services) instead of dying first and returning the shell.
    process.on('SIGINT', () => undefined);
    for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
    return;
  }
  process.stderr.write(`fluxcap: Node.js 24.11 or newer is required (this is ${process.version}); run npm ci first\n`);
  process.exit(1);
}
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.base.json');
require('@swc-node/register');
require('../src/main.ts');
