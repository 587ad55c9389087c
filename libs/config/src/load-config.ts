import { FluxError } from '@flux-capacitor/contracts';
import { z } from 'zod';
import { buildDatabaseTls, databaseTlsEnv, type DatabaseTls } from './database-tls';
import { resolveDatabaseUrl } from './database-url';
import { archiverEnv, buildArchiver, type ArchiverConfig } from './sections/archiver';
import { authEnv, buildAuth, type AuthConfig } from './sections/auth';
import { buildCatalog, catalogEnv, type CatalogConfig } from './sections/catalog';
import { buildConsole, consoleEnv, type ConsoleConfig } from './sections/console';
import { buildCore, coreEnv, type CoreConfig } from './sections/core';
import { buildQuery, queryEnv, type QueryConfig } from './sections/query';
import { buildReplay, replayEnv, type ReplayConfig } from './sections/replay';

/**
 * Every environment variable flux-capacitor reads, in one schema. Feature sections (archiver, query, ...) add
 * their keys here so that `describeSettings()` and the README table stay complete.
 */
export const fluxEnv = coreEnv.extend(authEnv.shape).extend(archiverEnv.shape).extend(queryEnv.shape).extend(catalogEnv.shape).extend(replayEnv.shape).extend(consoleEnv.shape);

export type FluxConfig = CoreConfig & { auth: AuthConfig; archiver: ArchiverConfig; query: QueryConfig; catalog: CatalogConfig; replay: ReplayConfig; console: ConsoleConfig };

export interface ConfigIssue {
  key: string;
  message: string;
}

/** The environment does not validate; names every bad key (services exit 78 on it). */
export class ConfigError extends FluxError {
  constructor(readonly issues: ConfigIssue[]) {
    super('invalid-input', 'CONFIG_INVALID', `Invalid configuration: ${issues.map((i) => `${i.key} ${i.message}`).join('; ')}`);
  }
}

/**
 * Validates the environment once into a typed, nested config. Throws ConfigError naming every bad key;
 * nothing else in the code base reads process.env.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): FluxConfig {
  // Empty strings mean "unset": env files often carry `KEY=` lines.
  const cleaned: Record<string, string | undefined> = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const database = resolveDatabaseUrl(cleaned);
  const parsed = fluxEnv.safeParse(database.url ? { ...cleaned, DATABASE_URL: database.url } : cleaned);
  if (!parsed.success || database.issues.length > 0) {
    // A missing part of the database settings is named instead of DATABASE_URL, which it was meant to build.
    const schemaIssues = parsed.success ? [] : parsed.error.issues.map((issue) => ({ key: String(issue.path[0] ?? '(environment)'), message: issue.message }));
    throw new ConfigError([...database.issues, ...schemaIssues.filter((i) => !(database.issues.length > 0 && i.key === 'DATABASE_URL'))]);
  }
  const issues: ConfigIssue[] = [];
  const addIssue = (key: string, message: string) => issues.push({ key, message });
  const config: FluxConfig = { ...buildCore(parsed.data, addIssue), auth: buildAuth(parsed.data, addIssue), archiver: buildArchiver(parsed.data, addIssue), query: buildQuery(parsed.data, addIssue), catalog: buildCatalog(parsed.data, addIssue), replay: buildReplay(parsed.data, addIssue), console: buildConsole(parsed.data) };
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/** Every setting with its description and default, for docs and `fluxcap config`. */
export function describeSettings(): { key: string; description: string; default?: string }[] {
  return Object.entries(fluxEnv.shape).map(([key, schema]) => {
    const s = schema as z.ZodType;
    const def = s instanceof z.ZodDefault ? String((s as z.ZodDefault<z.ZodType>).def.defaultValue) : undefined;
    return { key, description: s.description ?? '', default: def === '' ? undefined : def };
  });
}

/** Only the database URL (given, or built from DATABASE_HOST etc.), for commands that need nothing else (migrations). */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  const cleaned: Record<string, string | undefined> = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const database = resolveDatabaseUrl(cleaned);
  if (database.issues.length > 0) throw new ConfigError(database.issues);
  const parsed = coreEnv.shape.DATABASE_URL.safeParse(database.url);
  if (!parsed.success) throw new ConfigError([{ key: 'DATABASE_URL', message: parsed.error.issues[0].message }]);
  return parsed.data;
}

/** The database URL and its TLS settings, for commands that need nothing else (migrations). */
export function loadDatabaseSettings(env: NodeJS.ProcessEnv = process.env): { url: string; tls: DatabaseTls } {
  const url = loadDatabaseUrl(env);
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = z.object(databaseTlsEnv).safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => ({ key: String(i.path[0]), message: i.message })));
  const issues: { key: string; message: string }[] = [];
  const tls = buildDatabaseTls({ DATABASE_URL: url, ...parsed.data }, (key, message) => issues.push({ key, message }));
  if (issues.length > 0) throw new ConfigError(issues);
  return { url, tls };
}

/** The settings as the Markdown table the README carries. */
export function settingsMarkdown(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| Setting | Default | Meaning |',
    '| --- | --- | --- |',
    ...describeSettings().map((s) => `| \`${s.key}\` | ${s.default !== undefined ? `\`${s.default}\`` : ''} | ${esc(s.description)} |`),
  ].join('\n');
}
