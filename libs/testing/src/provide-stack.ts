import { inject } from 'vitest';
import { STACK_KEY } from './harness';

// A Vitest setup file of the integration and e2e tiers: runs in each test worker before the test file and hands the
// stack the global setup started to `getStack()`. The harness itself does not import vitest, so tools/bench can use
// libs/testing under plain Node.
(globalThis as Record<symbol, unknown>)[STACK_KEY] = inject('stack');
