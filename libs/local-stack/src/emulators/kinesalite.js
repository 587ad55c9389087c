'use strict';
require('./kinesalite-fixes');
const kinesalite = require('kinesalite');
require('./child').run(
  (o) =>
    new Promise((resolve, reject) => {
      // Stream lifecycle is instant so tests need not wait out CREATING/UPDATING states.
      // A data dir keeps the streams in LevelDB (leveldown, an optional dependency of kinesalite that needs a native
      // build where no prebuilt binary exists): without it, say so and keep them in memory rather than fail to start.
      let path = o.dataDir || undefined;
      if (path) {
        try {
          require.resolve('leveldown');
        } catch {
          process.stderr.write(`kinesalite: leveldown is not installed, so streams are kept in memory, not in ${path}\n`);
          path = undefined;
        }
      }
      const server = kinesalite({
        path,
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
