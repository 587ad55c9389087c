'use strict';
const S3rver = require('s3rver');
// s3rver only knows the key pair S3RVER/S3RVER; the AWS clients sign emulator requests as flux-local (libs/aws).
require('s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair('flux-local', 'flux-local');
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
