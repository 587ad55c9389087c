import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { PgServer, QueryServiceBackend } from '@flux-capacitor/pg-wire';
import { QueryService } from '@flux-capacitor/query-engine';
import { TOKEN_VERIFIER, type TokenVerifier } from '@flux-capacitor/service-kit';
import { Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { QueryModule } from '../query/query.module';
import { readPemSetting } from './pem-setting';

/** How long the mirror keeps a stream's typed columns: tools ask the catalog several times per `\d`. */
const FIELD_COLUMNS_TTL_MS = 10_000;

function cachedFor<T>(ttlMs: number, load: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, { at: number; value: Promise<T> }>();
  return (key) => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit.value;
    const value = load(key);
    cache.set(key, { at: Date.now(), value });
    value.catch(() => cache.delete(key));
    return value;
  };
}

/**
 * The PostgreSQL wire-protocol endpoint (FLUX_PG_PORT; off unless set): psql, DBeaver, Metabase and drivers query the
 * streams through the same QueryService as HTTP, authenticated with an API token as the password (docs/pgwire.md).
 */
@Module({ imports: [QueryModule] })
export class PgWireModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PgWire');
  private server?: PgServer;

  constructor(
    @Inject(FLUX_CONFIG) private readonly config: FluxConfig,
    private readonly moduleRef: ModuleRef,
    private readonly queries: QueryService,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const pg = this.config.query.pg;
    if (!pg) return;
    // the verifier the HTTP BearerAuthGuard uses (FluxServiceModule provides it without exporting it)
    const verifier = this.moduleRef.get<TokenVerifier>(TOKEN_VERIFIER, { strict: false });
    const catalog = new CatalogReader(this.dataSource);
    const backend = new QueryServiceBackend({
      queries: this.queries,
      verify: (token) => verifier.verify(token),
      listStreams: async () => (await catalog.listStreams()).map((s) => s.name),
      fieldColumns: cachedFor(FIELD_COLUMNS_TTL_MS, async (stream) => (await this.queries.typedColumns([stream])).get(stream.toLowerCase()) ?? []),
    });
    const host = pg.host ?? this.config.http.host;
    this.server = new PgServer(backend, {
      port: pg.port,
      host,
      tls: pg.tls ? { cert: readPemSetting('FLUX_PG_TLS_CERT', pg.tls.certFile), key: readPemSetting('FLUX_PG_TLS_KEY', pg.tls.keyFile) } : undefined,
      log: (event, fields) => this.logger.warn({ ...fields, msg: event }),
      allowPlaintext: pg.allowPlaintext,
    });
    const port = await this.server.listen();
    this.logger.log({ msg: 'PostgreSQL endpoint listening', host, port, tls: Boolean(pg.tls) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
