export { freePort, isListening } from './free-port';
export {
  stackEnv,
  startLocalStack,
  stopChild,
  type KinesisEmulator,
  type LocalStackOptions,
  type RunningStack,
  type StackEndpoints,
} from './local-stack';
export { spawnService, startService, waitUntilHealthy, type RunningService, type ServiceSpawnOptions } from './service-process';
