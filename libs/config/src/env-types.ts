import { z } from 'zod';

/** Boolean settings accept the spellings people actually type into env files. */
export const envBoolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const envInt = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int({ message: 'must be a whole number' })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` });

export const envUrl = z.url({ message: 'must be a URL such as http://127.0.0.1:4566' });

export const envPort = envInt(0, 65535);

/** A comma-separated list, blanks dropped. */
export const envList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0));
