import { join } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// One config for the whole workspace: `npm test` runs every project and tier; `nx test <project>` passes its folder.
export default defineConfig({
  plugins: [
    // NestJS dependency injection needs emitDecoratorMetadata, which esbuild does not emit.
    swc.vite({ tsconfigFile: false, module: { type: 'es6' }, jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, target: 'es2023', keepClassNames: true } }),
  ],
  resolve: {
    alias: {
      '@flux-capacitor/archive': join(__dirname, 'libs/archive/src/index.ts'),
      '@flux-capacitor/archiver': join(__dirname, 'libs/archiver/src/index.ts'),
      '@flux-capacitor/aws': join(__dirname, 'libs/aws/src/index.ts'),
      '@flux-capacitor/catalog': join(__dirname, 'libs/catalog/src/index.ts'),
      '@flux-capacitor/config': join(__dirname, 'libs/config/src/index.ts'),
      '@flux-capacitor/consumer-sdk': join(__dirname, 'libs/consumer-sdk/src/index.ts'),
      '@flux-capacitor/contracts': join(__dirname, 'libs/contracts/src/index.ts'),
      '@flux-capacitor/kinesis': join(__dirname, 'libs/kinesis/src/index.ts'),
      '@flux-capacitor/local-stack': join(__dirname, 'libs/local-stack/src/index.ts'),
      '@flux-capacitor/persistence': join(__dirname, 'libs/persistence/src/index.ts'),
      '@flux-capacitor/query-engine': join(__dirname, 'libs/query-engine/src/index.ts'),
      '@flux-capacitor/replay': join(__dirname, 'libs/replay/src/index.ts'),
      '@flux-capacitor/service-kit': join(__dirname, 'libs/service-kit/src/index.ts'),
      '@flux-capacitor/sqs-transport': join(__dirname, 'libs/sqs-transport/src/index.ts'),
      '@flux-capacitor/testing': join(__dirname, 'libs/testing/src/index.ts'),
    },
  },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    globals: true,
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: more parallel files only contend.
    maxWorkers: 2,
    // Three tiers (`npm test` runs all; `npm run test:unit|test:integration|test:e2e` one). Only the last two start
    // the local stack (emulators + Postgres) in their global setup; unit and contract tests need no setup.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['apps/*/src/**/*.spec.ts', 'libs/*/src/**/*.spec.ts', 'libs/*/test/contract/**/*.spec.ts', 'tools/docs/**/*.spec.ts', 'infra/**/*.spec.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['apps/*/test/integration/**/*.spec.ts', 'libs/*/test/integration/**/*.spec.ts'], globalSetup: ['libs/testing/src/global-setup.cjs'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['apps/*/test/e2e/**/*.spec.ts', 'tools/bench/**/*.spec.ts'], globalSetup: ['libs/testing/src/global-setup.cjs'] },
      },
    ],
  },
});
