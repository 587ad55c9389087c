import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

describe('benchmark scripts', () => {
  it('every `npm run bench:*` script has a smoke run in tools/bench', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const benches = Object.entries(scripts).filter(([name]) => name.startsWith('bench:'));
    expect(benches.length).toBeGreaterThan(0);
    const specs = readdirSync(__dirname)
      .filter((f) => f.endsWith('.spec.ts') && f !== 'bench-scripts.spec.ts')
      .map((f) => readFileSync(join(__dirname, f), 'utf8'));
    for (const [name, command] of benches) {
      const file = /tools\/bench\/([\w-]+\.ts)/.exec(command)?.[1];
      expect(file, `${name} runs a script in tools/bench`).toBeDefined();
      // a smoke run spawns the script by its file name, the way its npm script does
      expect(specs.some((text) => text.includes(`'${file}'`) || text.includes(`tools/bench/${file}`)), `${name} (${file}) has a smoke run`).toBe(true);
    }
  });
});
