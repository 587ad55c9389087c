export { parseArchiveUri, type ArchiveLocation } from './archive-uri';
export { envBoolean, envInt, envList, envPort, envUrl } from './env-types';
export {
  ConfigError,
  describeSettings,
  fluxEnv,
  loadConfig,
  loadDatabaseUrl,
  settingsMarkdown,
  type ConfigIssue,
  type FluxConfig,
} from './load-config';
export { INITIAL_POSITIONS, type ArchiverConfig, type InitialPosition } from './sections/archiver';
export { API_ROLES, type ApiRole, type AuthConfig } from './sections/auth';
export type { CatalogConfig } from './sections/catalog';
export type { CoreConfig } from './sections/core';
export type { QueryConfig } from './sections/query';
export { isAllowedTarget, type ReplayConfig } from './sections/replay';

/** Nest injection token of the validated FluxConfig (provided by the service kit). */
export const FLUX_CONFIG = Symbol.for('flux-capacitor.config');
