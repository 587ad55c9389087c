import { join } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';
import tsconfigBase from './tsconfig.base.json' with { type: 'json' };

// One config for the whole workspace: `npm test` runs every project and tier; `nx test <project>` passes its folder.
export default defineConfig({
  plugins: [
    // NestJS dependency injection needs emitDecoratorMetadata, which esbuild does not emit.
    swc.vite({ tsconfigFile: false, module: { type: 'es6' }, jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, target: 'es2023', keepClassNames: true } }),
  ],
  resolve: {
    // The path aliases of tsconfig.base.json, the one place they are declared.
    alias: Object.fromEntries(Object.entries(tsconfigBase.compilerOptions.paths).map(([name, [path]]) => [name, join(import.meta.dirname, path)])),
  },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    globals: true,
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits for what a browser or a service shows next; its default of 1 s failed the console tests on
    // the shared 2-core machine while other suites ran (a query's rows, a completion click). A wait, not a timing claim.
    expect: { poll: { timeout: 15_000 } },
    // 2 cores: more parallel files only contend.
    maxWorkers: 2,
    // Three tiers (`npm test` runs all; `npm run test:unit|test:integration|test:e2e` one). Only the last two start
    // the local stack (emulators + Postgres) in their global setup; unit and contract tests need no setup.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['apps/*/src/**/*.spec.ts', 'libs/*/src/**/*.spec.ts', 'libs/*/test/contract/**/*.spec.ts', 'tools/docs/**/*.spec.ts', 'tools/build/*.spec.ts', 'infra/**/*.spec.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['apps/*/test/integration/**/*.spec.ts', 'libs/*/test/integration/**/*.spec.ts'], globalSetup: ['libs/testing/src/global-setup.cjs'], setupFiles: ['libs/testing/src/provide-stack.ts'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['apps/*/test/e2e/**/*.spec.ts', 'tools/bench/**/*.spec.ts', 'tools/build/test/e2e/**/*.spec.ts'], globalSetup: ['libs/testing/src/global-setup.cjs'], setupFiles: ['libs/testing/src/provide-stack.ts'] },
      },
    ],
  },
});
