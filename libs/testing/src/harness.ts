import { randomBytes } from 'node:crypto';
import { loadConfig, type FluxConfig } from '@flux-capacitor/config';
import { stackEnv, type StackEndpoints } from '@flux-capacitor/local-stack';
import { migrate } from '@flux-capacitor/persistence';
import { Client } from 'pg';

/** Where `provide-stack.ts` (a Vitest setup file) leaves the endpoints of the stack the global setup started. */
export const STACK_KEY = Symbol.for('flux-capacitor.test-stack');

/** The stack the global setup started (emulators or containers); only integration and e2e tests have one. */
export function getStack(): StackEndpoints {
  const stack = (globalThis as Record<symbol, StackEndpoints | undefined>)[STACK_KEY];
  if (!stack) throw new Error('no test stack: getStack() works in the integration and e2e tiers, whose global setup starts one');
  return stack;
}

/** A short random name, safe for queues, streams, buckets and databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database on the stack's Postgres, migrated unless told otherwise; test files never share one. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const stack = getStack();
  const name = uniqueName('flux_t').replace(/-/g, '_');
  const admin = new Client({ connectionString: stack.adminDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const u = new URL(stack.adminDatabaseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  if (options.migrate !== false) await migrate(url);
  return {
    url,
    drop: async () => {
      const c = new Client({ connectionString: stack.adminDatabaseUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Environment variables for a service under test, pointing at the stack. */
export function testEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  const stack = getStack();
  return {
    ...stackEnv(stack),
    FLUX_ARCHIVE_URI: 's3://flux-test-archive/archive',
    FLUX_SQS_QUEUE_PREFIX: `${uniqueName('t')}-`,
    FLUX_SQS_WAIT_SECONDS: '1',
    // An archiver in a test shares the test runner's process, which is larger than an archiver's own.
    FLUX_ARCHIVER_MEMORY_MIB: '4096',
    LOG_LEVEL: 'warn',
    ...overrides,
  };
}

/** A validated FluxConfig for a test, from `testEnvironment(overrides)`. */
export function testConfig(overrides: Record<string, string> = {}): FluxConfig {
  return loadConfig(testEnvironment(overrides));
}
