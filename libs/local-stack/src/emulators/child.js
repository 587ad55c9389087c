'use strict';
// Shared plumbing for emulator child processes: options arrive as JSON in argv[2]; readiness and the bound
// port go back over the IPC channel; when the parent goes away (even by kill -9) the IPC channel closes and
// the child stops too, so no emulator outlives `fluxcap stack`.
exports.run = function run(start) {
  const options = JSON.parse(process.argv[2] || '{}');
  let stop = async () => undefined;
  const shutdown = async () => {
    try {
      await stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('disconnect', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  start(options)
    .then((started) => {
      stop = started.stop;
      if (process.send) process.send({ ready: true, port: started.port });
    })
    .catch((err) => {
      if (process.send) process.send({ ready: false, error: String((err && err.stack) || err) });
      process.exit(1);
    });
};
