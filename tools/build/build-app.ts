import { transformFileSync, type Options } from '@swc/core';
import { builtinModules } from 'node:module';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pruneLockfile, type AppPackage, type PackageLock } from './prune-lockfile';

/**
 * Compiles one app (`apps/<name>/src/main.ts`) and every workspace file it reaches into `dist/apps/<name>/`, with
 * decorator metadata (NestJS injection needs it; esbuild does not emit it), and writes a package.json holding only
 * the npm packages that output really requires.
 *
 * Files are transpiled one by one with SWC (the same options as `.swcrc`, which `npm start` and the tests run
 * through) into the same tree as the sources (`dist/apps/<name>/libs/config/src/index.js`), so `__dirname`-relative
 * paths keep working; the `@flux-capacitor/*` aliases become relative requires. `main.js` at the top requires the
 * app's entry. Nothing is bundled: node_modules stay external and are installed from the generated package.json.
 *
 * The dependency closure follows `require()` calls in the compiled output, so a type-only import costs nothing and a
 * lazily imported module still counts. A package the output requires must be a production dependency of the root
 * package.json: a service that imports a devDependency (an emulator, the run-time compiler) fails the build.
 */

export const WORKSPACE_ROOT = resolve(__dirname, '../..');

/** Packages loaded by name, not through a require() the scan can see: `[package that loads it, package loaded]`. */
const LOADED_BY_NAME: [string, string][] = [
  // NestFactory loads the HTTP adapter by its package name.
  ['@nestjs/core', '@nestjs/platform-express'],
  // pino starts a transport by its package name (LOG_FORMAT=pretty).
  ['nestjs-pino', 'pino-pretty'],
  ['pino', 'pino-pretty'],
];

export interface AppBuild {
  app: string;
  /** workspace-relative source files compiled, sorted */
  files: string[];
  /** npm packages the output requires, with the version installed here */
  dependencies: Record<string, string>;
  /** which compiled file first required each package (for error messages and reviews) */
  requiredBy: Record<string, string>;
  packageJson: Record<string, unknown>;
}

interface RootPackage {
  version: string;
  engines?: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

function swcOptions(root: string): Options {
  const rc = readJson<Options>(join(root, '.swcrc'));
  return { ...rc, swcrc: false, configFile: false, sourceMaps: true, jsc: { ...rc.jsc } };
}

function aliases(root: string): Map<string, string> {
  const tsconfig = readJson<{ compilerOptions: { paths: Record<string, string[]> } }>(join(root, 'tsconfig.base.json'));
  return new Map(Object.entries(tsconfig.compilerOptions.paths).map(([name, [path]]) => [name, join(root, path)]));
}

function resolveSource(base: string): string | undefined {
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), `${base}.js`, `${base}.json`, base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
const outName = (file: string) => file.replace(/\.ts$/, '.js');

interface Compiled {
  code: string;
  map?: string;
}

/** Compiles (in memory) the app's closure; `emit` writes the output when given. */
export function analyseApp(app: string, root = WORKSPACE_ROOT, emit?: (file: string, out: Compiled) => void): AppBuild {
  const entry = join(root, 'apps', app, 'src', 'main.ts');
  if (!existsSync(entry)) throw new Error(`apps/${app}/src/main.ts does not exist`);
  const rootPackage = readJson<RootPackage>(join(root, 'package.json'));
  const appPackage = readJson<{ name: string; version: string; description?: string; bin?: Record<string, string> }>(join(root, 'apps', app, 'package.json'));
  const alias = aliases(root);
  const options = swcOptions(root);
  const seen = new Set<string>([entry]);
  const queue = [entry];
  const requiredBy: Record<string, string> = {};
  const problems: string[] = [];

  while (queue.length > 0) {
    const file = queue.shift()!;
    const rel = relative(root, file);
    if (!file.endsWith('.ts')) {
      emit?.(rel, { code: readFileSync(file, 'utf8') });
      continue;
    }
    const out = transformFileSync(file, { ...options, filename: file });
    const code = out.code.replace(/require\((["'])([^"']+)\1\)/g, (call, quote: string, specifier: string) => {
      if (isBuiltin(specifier)) return call;
      const aliased = alias.get(specifier);
      const local = aliased ?? (specifier.startsWith('.') ? resolveSource(resolve(dirname(file), specifier)) : undefined);
      if (aliased || specifier.startsWith('.')) {
        if (!local) {
          problems.push(`${rel}: cannot resolve "${specifier}"`);
          return call;
        }
        if (!seen.has(local)) {
          seen.add(local);
          queue.push(local);
        }
        let target = relative(dirname(file), outName(local));
        if (!target.startsWith('.')) target = `./${target}`;
        return `require(${quote}${target}${quote})`;
      }
      const name = packageName(specifier);
      requiredBy[name] ??= rel;
      return call;
    });
    emit?.(rel, { code: out.map ? `${code}\n//# sourceMappingURL=${outName(file).split('/').pop()}.map\n` : code, map: out.map });
  }

  for (const [loader, loaded] of LOADED_BY_NAME) if (requiredBy[loader]) requiredBy[loaded] ??= `${requiredBy[loader]} (through ${loader})`;
  const dependencies: Record<string, string> = {};
  for (const name of Object.keys(requiredBy).sort()) {
    if (!rootPackage.dependencies[name]) {
      const where = rootPackage.devDependencies[name] ? 'a devDependency' : 'not a dependency';
      problems.push(`${requiredBy[name]} requires "${name}", which is ${where} of the root package.json: production code may only require production dependencies`);
      continue;
    }
    dependencies[name] = readJson<{ version: string }>(join(root, 'node_modules', name, 'package.json')).version;
  }
  if (problems.length > 0) throw new Error(`build of ${app} failed:\n  ${problems.join('\n  ')}`);

  const packageJson: Record<string, unknown> = {
    name: appPackage.name,
    version: appPackage.version,
    ...(appPackage.description ? { description: appPackage.description } : {}),
    license: 'Apache-2.0',
    main: 'main.js',
    ...(appPackage.bin ? { bin: Object.fromEntries(Object.keys(appPackage.bin).map((name) => [name, 'main.js'])) } : { private: true }),
    engines: rootPackage.engines,
    dependencies,
  };
  return { app, files: [...seen].map((f) => relative(root, f)).sort(), dependencies, requiredBy, packageJson };
}

/**
 * Builds `dist/apps/<app>/`: the compiled tree, `main.js`, `package.json` and its `package-lock.json` (the root
 * lock's entries for those dependencies, so `npm ci --omit=dev` installs what the workspace was tested with).
 */
export function buildApp(app: string, root = WORKSPACE_ROOT, outRoot = join(root, 'dist', 'apps')): AppBuild {
  const outDir = join(outRoot, app);
  rmSync(outDir, { recursive: true, force: true });
  const build = analyseApp(app, root, (file, out) => {
    const target = join(outDir, outName(file));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.code);
    if (out.map) writeFileSync(`${target}.map`, out.map);
  });
  const bin = build.packageJson.bin !== undefined;
  writeFileSync(join(outDir, 'main.js'), `${bin ? '#!/usr/bin/env node\n' : ''}'use strict';\nrequire('./apps/${app}/src/main.js');\n`);
  if (bin) chmodSync(join(outDir, 'main.js'), 0o755);
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(build.packageJson, null, 2)}\n`);
  const lock = pruneLockfile(readJson<PackageLock>(join(root, 'package-lock.json')), build.packageJson as AppPackage);
  writeFileSync(join(outDir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  return build;
}

if (require.main === module) {
  const [app] = process.argv.slice(2);
  if (!app) {
    process.stderr.write('usage: build-app <app>\n');
    process.exit(2);
  }
  try {
    const build = buildApp(app);
    process.stdout.write(`dist/apps/${app}: ${build.files.length} files, ${Object.keys(build.dependencies).length} dependencies\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
