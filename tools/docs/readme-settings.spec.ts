import { describeSettings } from '@flux-capacitor/config';
import { readFileSync } from 'node:fs';
import { README, withSettingsTable } from './readme-settings';

describe('README configuration table', () => {
  it('lists every setting the services read, as generated (run `npm run docs:settings` after adding one)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme).toBe(withSettingsTable(readme));
    for (const { key } of describeSettings()) expect(readme).toContain(`\`${key}\``);
  });
});
