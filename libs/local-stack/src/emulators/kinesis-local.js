'use strict';
// kinesis-mock's Scala.js build: slower than kinesalite but closer to AWS (resharding, stream modes).
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const waitForPort = (port, deadline) =>
  new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`kinesis-local did not listen on ${port}`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });

require('./child').run(async (o) => {
  const main = require.resolve('kinesis-local/main.js');
  // The IPC channel lets kinesis-mock notice when this wrapper dies (even by kill -9): exit-with-parent.js exits then.
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'exit-with-parent.js'), main], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(o.port),
      KINESIS_MOCK_TLS_PORT: String(o.tlsPort),
      KINESIS_MOCK_CERT_PATH: path.join(path.dirname(main), 'server.json'),
      AWS_REGION: o.region || 'us-east-1',
      CREATE_STREAM_DURATION: '0ms',
      DELETE_STREAM_DURATION: '0ms',
      MERGE_SHARDS_DURATION: '0ms',
      SPLIT_SHARD_DURATION: '0ms',
      UPDATE_SHARD_COUNT_DURATION: '0ms',
      SHARD_LIMIT: '1000',
    },
  });
  await waitForPort(o.port, Date.now() + 30000);
  return {
    port: o.port,
    // kinesis-mock's graceful shutdown waits up to 30 s for clients' keep-alive connections to close. Its streams
    // live in memory, so there is nothing to save: give it a moment, then SIGKILL, and resolve only once it is gone.
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
});
