import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// One config for the whole workspace: `npm test` runs every project; `nx test <project>` passes its folder.
export default defineConfig({
  plugins: [
    // NestJS dependency injection needs emitDecoratorMetadata, which esbuild does not emit.
    swc.vite({ tsconfigFile: false, module: { type: 'es6' }, jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false }, target: 'es2023', keepClassNames: true } }),
  ],
  resolve: {
    alias: {
      '@flux-capacitor/archive': new URL('./libs/archive/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/archiver': new URL('./libs/archiver/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/aws': new URL('./libs/aws/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/catalog': new URL('./libs/catalog/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/config': new URL('./libs/config/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/contracts': new URL('./libs/contracts/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/local-stack': new URL('./libs/local-stack/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/persistence': new URL('./libs/persistence/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/query-engine': new URL('./libs/query-engine/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/service-kit': new URL('./libs/service-kit/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/sqs-transport': new URL('./libs/sqs-transport/src/index.ts', import.meta.url).pathname,
      '@flux-capacitor/testing': new URL('./libs/testing/src/index.ts', import.meta.url).pathname,
    },
  },
  test: {
    include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'tools/**/*.spec.ts', 'infra/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globals: true,
    environment: 'node',
    pool: 'forks',
    // Integration tests share one local stack (emulators + Postgres), started once here.
    globalSetup: ['libs/testing/src/global-setup.cjs'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // 2 cores: more parallel files only contend.
    maxWorkers: 2,
  },
});
