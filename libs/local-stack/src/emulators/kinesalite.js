'use strict';
require('./kinesalite-fixes');
const kinesalite = require('kinesalite');
require('./child').run(
  (o) =>
    new Promise((resolve, reject) => {
      // Stream lifecycle is instant so tests need not wait out CREATING/UPDATING states.
      const server = kinesalite({
        path: o.dataDir || undefined,
        createStreamMs: 0,
        deleteStreamMs: 0,
        updateStreamMs: 0,
        shardLimit: 1000,
      });
      server.on('error', reject);
      server.listen(o.port || 0, o.host || '127.0.0.1', () =>
        resolve({ port: server.address().port, stop: () => new Promise((r) => server.close(() => r())) }),
      );
    }),
);
