import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type RunningStack } from '@flux-capacitor/local-stack';
import type { TestProject } from 'vitest/node';
import { containerEngineAvailable, startContainerStack } from './container-stack';
import { testEnv } from './test-env';

/**
 * Starts one stack for the whole test run and hands its endpoints to every test file through
 * `getStack()` (through `provide-stack.ts`). Containers when an engine is reachable, local emulators otherwise: one interface.
 */
export default async function setup(project: TestProject) {
  const useContainers = testEnv.stack === 'containers' || (testEnv.stack !== 'local' && (await containerEngineAvailable()));
  let stack: RunningStack;
  let dataDir: string | undefined;
  if (useContainers) {
    stack = await startContainerStack();
  } else {
    if (testEnv.stack !== 'local') console.log('[flux test stack] no container engine reachable: using the local emulator stack');
    dataDir = mkdtempSync(join(tmpdir(), 'flux-test-'));
    stack = await startLocalStack({
      dataDir,
      databaseUrl: testEnv.databaseUrl,
      database: 'flux_test',
      kinesis: testEnv.kinesis,
    });
  }
  project.provide('stack', stack.endpoints);
  return async () => {
    await stack.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: import('@flux-capacitor/local-stack').StackEndpoints;
  }
}
