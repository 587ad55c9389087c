import { readFileSync } from 'node:fs';

/**
 * A PEM setting's value (FLUX_PG_TLS_CERT, FLUX_PG_TLS_KEY): the PEM text itself, as ECS injects a secret's field
 * into the environment, or the path of a file holding it.
 */
export function readPemSetting(name: string, value: string): Buffer {
  if (value.trimStart().startsWith('-----BEGIN ')) return Buffer.from(value);
  try {
    return readFileSync(value);
  } catch (err) {
    throw new Error(`${name}: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? String(err)}); give a PEM file or the PEM text itself`, { cause: err });
  }
}
