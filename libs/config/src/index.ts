export { parseArchiveUri, type ArchiveLocation } from './archive-uri';
export { DATABASE_SSL_MODES, type DatabaseTls } from './database-tls';
export {
  ConfigError,
  describeSettings,
  loadConfig,
  loadDatabaseSettings,
  loadDatabaseUrl,
  settingsMarkdown,
  type FluxConfig,
} from './load-config';
export type { ArchiverConfig, InitialPosition } from './sections/archiver';
export type { ApiRole, TokenGrant } from './sections/auth';
export type { CatalogConfig, CompactionConfig } from './sections/catalog';
export type { ConsoleConfig } from './sections/console';
export type { QueryConfig } from './sections/query';
export { isAllowedTarget } from './sections/replay';

/** Nest injection token of the validated FluxConfig (provided by the service kit). */
export const FLUX_CONFIG = Symbol.for('flux-capacitor.config');
