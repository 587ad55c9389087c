export { freePort, isListening } from './free-port';
export { waitForStreamActive } from './kinesis-stream';
export { stackEnv, startLocalStack, type KinesisEmulator, type RunningStack, type StackEndpoints } from './local-stack';
export { spawnService, startService, waitUntilHealthy, type RunningService } from './service-process';
