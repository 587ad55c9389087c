import { DataSource, type DataSourceOptions } from 'typeorm';
import { entities } from './entities';
import { migrations } from './migrations';
import { resolvePostgresTls, type PostgresTlsSettings } from './postgres-tls';
import { TimeoutSafeClient } from './timeout-safe-client';
import { QueryErrorLogger } from './query-error-logger';

export const MIGRATIONS_TABLE = 'flux_migrations';

/** Where the database is and how long one query may take (FluxConfig's `database`); a bare URL takes the defaults. */
export interface DatabaseSettings {
  url: string;
  /** Bound of one query, client and server side; 0 leaves queries unbounded (migrations, which may wait for a lock). */
  queryTimeoutMs?: number;
  /** TLS (DATABASE_SSL_MODE, DATABASE_SSL_CA_FILE); otherwise the URL's sslmode, with libpq's meaning (postgres-tls.ts). */
  tls?: PostgresTlsSettings;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;

/**
 * The pool's bounds: a partition (Postgres silent, connections open) must end in an error, never a hang. Connecting
 * gives up after 5 s; a query after `queryTimeoutMs` on the client (`query_timeout`, which also covers a silent
 * network) and on the server (`statement_timeout`, which frees the backend); TCP keep-alive finds dead peers. A
 * client whose query timed out is closed, never lent again (TimeoutSafeClient: the statement may still run late).
 */
function poolOptions(queryTimeoutMs: number): Record<string, unknown> {
  const bounds = queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs, statement_timeout: queryTimeoutMs, Client: TimeoutSafeClient } : {};
  return { max: 10, connectionTimeoutMillis: 5000, keepAlive: true, keepAliveInitialDelayMillis: 10_000, ...bounds };
}

/** The one set of options every service, the CLI and the tests use: no synchronize, explicit migrations. */
export function dataSourceOptions(database: string | DatabaseSettings, overrides: Partial<DataSourceOptions> = {}): DataSourceOptions {
  const { url: given, queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS, tls }: DatabaseSettings = typeof database === 'string' ? { url: database } : database;
  const { url, ssl } = resolvePostgresTls(given, tls);
  return {
    type: 'postgres',
    url,
    ssl,
    entities,
    migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    logging: ['error', 'warn'],
    logger: new QueryErrorLogger(),
    extra: poolOptions(queryTimeoutMs),
    ...overrides,
  } as DataSourceOptions;
}

export function createDataSource(database: string | DatabaseSettings, overrides: Partial<DataSourceOptions> = {}): DataSource {
  return new DataSource(dataSourceOptions(database, overrides));
}

/** Key of the session advisory lock that serializes migration runs on one database (TypeORM takes none). */
const MIGRATION_LOCK_KEY = 'flux-capacitor:migrations';

/**
 * Runs `work` while holding the migration lock of the database, so that processes migrating the same database at
 * once (two `fluxcap dev`, service replicas at deploy time) run one after the other: the later ones find nothing
 * pending instead of failing on half-created tables.
 */
async function withMigrationLock<T>(ds: DataSource, work: () => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATION_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(database: string | DatabaseSettings): Promise<string[]> {
  // Unbounded: a migration may wait for another process's migration lock, or rewrite a large table.
  const ds = await createDataSource({ ...(typeof database === 'string' ? { url: database } : database), queryTimeoutMs: 0 }).initialize();
  try {
    const applied = await withMigrationLock(ds, () => ds.runMigrations({ transaction: 'each' }));
    return applied.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** Reverts the last `steps` migrations; returns the names reverted. */
export async function revert(database: string | DatabaseSettings, steps = 1): Promise<string[]> {
  const ds = await createDataSource({ ...(typeof database === 'string' ? { url: database } : database), queryTimeoutMs: 0 }).initialize();
  const reverted: string[] = [];
  try {
    for (let i = 0; i < steps; i++) {
      const executed = await ds.query(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id DESC LIMIT 1`);
      if (executed.length === 0) break;
      await ds.undoLastMigration({ transaction: 'each' });
      reverted.push(executed[0].name as string);
    }
    return reverted;
  } finally {
    await ds.destroy();
  }
}
