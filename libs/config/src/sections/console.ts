import { z } from 'zod';
import { envUrl } from '../env-types';

/**
 * The web console the query gateway serves at `/`: where its built files are and the public base URLs the browser
 * uses for the other services (`GET /console-config.json`). An unset URL means "not configured": the console says so
 * instead of failing.
 */
export const consoleEnv = z.object({
  FLUX_CONSOLE_DIR: z.string().min(1).optional().describe('Folder of the built web console the query gateway serves at `/` (default: `dist/apps/console` in the repository, which `npx nx build console` and `fluxcap dev` write).'),
  FLUX_CONSOLE_CATALOG_URL: envUrl.optional().describe('Catalog base URL as the browser reaches it (`/console-config.json`); unset: the console shows the catalog as not configured.'),
  FLUX_CONSOLE_REPLAY_URL: envUrl.optional().describe('Replay coordinator base URL as the browser reaches it; unset: the console shows replays as not configured.'),
  FLUX_CONSOLE_ARCHIVER_URL: envUrl.optional().describe('Archiver base URL as the browser reaches it; unset: the console shows archiver status as not configured.'),
});

export type ConsoleEnv = z.infer<typeof consoleEnv>;

export interface ConsoleConfig {
  /** undefined: the repository's build output */
  dir?: string;
  urls: { catalog: string | null; replay: string | null; archiver: string | null };
}

/** A base URL without its trailing slash, so the browser can append `/v1/...`. */
const base = (url: string | undefined) => (url ? url.replace(/\/+$/, '') : null);

export function buildConsole(env: ConsoleEnv): ConsoleConfig {
  return { dir: env.FLUX_CONSOLE_DIR, urls: { catalog: base(env.FLUX_CONSOLE_CATALOG_URL), replay: base(env.FLUX_CONSOLE_REPLAY_URL), archiver: base(env.FLUX_CONSOLE_ARCHIVER_URL) } };
}
