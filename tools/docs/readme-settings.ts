import { settingsMarkdown } from '@flux-capacitor/config';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const README = join(__dirname, '../../README.md');
const START = '<!-- settings:start -->';
const END = '<!-- settings:end -->';

/** The README with its settings table regenerated from the configuration schema. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} / ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${settingsMarkdown()}\n${readme.slice(end)}`;
}

if (require.main === module) {
  writeFileSync(README, withSettingsTable(readFileSync(README, 'utf8')));
  process.stdout.write('README.md settings table updated\n');
}
