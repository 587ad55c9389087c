import nx from '@nx/eslint-plugin';

// The dependency graph stays a picture you can draw: apps use libs, libs never use apps, data-access and util libs
// stay below feature libs. `type:testing` (libs/testing, the test harness) may use any lib, and only tests use it.
const typeConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util'] },
  { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util'] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:testing'] },
];

/** Test code uses a lib from outside, as the harness does: it may use any lib and the dev-only ones (`scope:dev`). */
const testConstraints = [{ sourceTag: '*', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:testing'] }];

// `scope:dev` libs (local-stack, testing) start emulators and spawn processes: only the CLI (`fluxcap dev|stack`),
// tools/ and test code may use them. Tags are per project, so test files get the looser rule below. (Not
// `notDependOnLibsWithTags`: that follows the project graph transitively, and the graph counts test imports too.)
const devOnly = { sourceTag: '/^scope:(?!dev$|cli$|tools$)/', onlyDependOnLibsWithTags: ['/^scope:(?!dev$)/'] };

// Each service's feature code uses the shared libs and only the features it is built on: the gateway and replay read
// the catalog and run queries; the archiver and the catalog stand alone. The CLI, tools/ and infra may use any lib.
const scopeConstraints = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:archiver', onlyDependOnLibsWithTags: ['scope:archiver', 'scope:shared'] },
  { sourceTag: 'scope:catalog', onlyDependOnLibsWithTags: ['scope:catalog', 'scope:shared'] },
  { sourceTag: 'scope:query', onlyDependOnLibsWithTags: ['scope:query', 'scope:shared'] },
  { sourceTag: 'scope:query-gateway', onlyDependOnLibsWithTags: ['scope:query', 'scope:catalog', 'scope:shared'] },
  { sourceTag: 'scope:replay', onlyDependOnLibsWithTags: ['scope:replay', 'scope:query', 'scope:catalog', 'scope:shared'] },
  { sourceTag: 'scope:replay-coordinator', onlyDependOnLibsWithTags: ['scope:replay', 'scope:query', 'scope:catalog', 'scope:shared'] },
  // The web console runs in the browser and talks only HTTP: it may bundle browser-safe shared libs (the API client).
  { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared'] },
];

const boundaries = (depConstraints) => [
  'error',
  {
    enforceBuildableLibDependency: true,
    // Integration tests import their own lib through its public entry, as users do.
    allowCircularSelfDependency: true,
    // The harness builds on these libs, and their integration tests use the harness: a cycle through test files
    // only, which no production code follows.
    ignoredCircularDependencies: [
      ['testing', 'archive'],
      ['testing', 'archive-catalog'],
      ['testing', 'local-stack'],
      ['testing', 'persistence'],
    ],
    allow: [],
    depConstraints,
  },
];

/** Test code: specs, test/ folders, test support and benches. */
const TEST_FILES = ['**/*.spec.ts', '**/test/**', '**/bench/**'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/node_modules', '**/dist', '.flux', '.nx', 'coverage'] },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.cjs', '**/*.mjs', '**/*.mts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries([...typeConstraints, devOnly, ...scopeConstraints]),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': boundaries(testConstraints) },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
