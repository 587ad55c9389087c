'use strict';
const S3rver = require('s3rver');
require('./child').run(async (o) => {
  const server = new S3rver({
    port: o.port || 0,
    address: o.host || '127.0.0.1',
    silent: true,
    directory: o.dataDir,
    configureBuckets: (o.buckets || []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  return { port, stop: () => server.close() };
});
