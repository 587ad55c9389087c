import { readFileSync } from 'node:fs';

/** The settings in a `.flux/dev.env` that fluxcap wrote (`export KEY='value'` lines). */
export function parseEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}
