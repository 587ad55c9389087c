import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const SRC = __dirname;
const NODE_BUILTINS = new Set(builtinModules);

/** Every module specifier a source file imports or re-exports (type-only imports included: they are harmless but rare). */
const importsOf = (text: string) => [...text.matchAll(/(?:import|export)\s[^;]*?from\s+'([^']+)'/g)].map((m) => m[1]);

describe('api-client is browser-safe', () => {
  it('imports no Node module from anything its entry can reach, only openapi-fetch and its own files', () => {
    const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    expect(files).toContain('index.ts');
    for (const file of files) {
      for (const spec of importsOf(readFileSync(join(SRC, file), 'utf8'))) {
        expect(spec.startsWith('node:') || NODE_BUILTINS.has(spec), `${file} imports ${spec}`).toBe(false);
        expect(spec.startsWith('.') || spec === 'openapi-fetch', `${file} imports ${spec}`).toBe(true);
      }
    }
  });
});
