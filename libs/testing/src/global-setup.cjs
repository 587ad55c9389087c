'use strict';
// Vitest loads global setup with Node's own loader, which cannot compile decorators or resolve extensionless
// TypeScript imports; load the TypeScript through the same SWC hook the services run under.
require('@swc-node/register');
module.exports = require('./stack-setup.ts').default;
