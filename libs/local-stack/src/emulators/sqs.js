'use strict';
const { createSqsServer } = require('local-aws-sqs');
require('./child').run(async (o) => {
  const server = await createSqsServer({
    port: o.port || 0,
    hostname: o.host || '127.0.0.1',
    region: o.region || 'us-east-1',
    // A test suite deletes and recreates queues freely; AWS' 60 s wait would only slow it down.
    emulateQueueCreationLifecycle: false,
  });
  return { port: server.address().port, stop: () => new Promise((r) => server.close(() => r())) };
});
