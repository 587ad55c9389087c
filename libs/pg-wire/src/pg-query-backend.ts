import { FluxError } from '@flux-capacitor/contracts';
import type { QueryService } from '@flux-capacitor/query-engine';
import { PgCatalog, type StreamFieldColumn } from './pg-catalog';
import { PgError } from './pg-messages';
import type { PgBackend, PgPrincipal, PgRowSource } from './pg-session';

export interface QueryBackendDeps {
  queries: QueryService;
  /** service-kit's TOKEN_VERIFIER: the password is checked exactly as an HTTP bearer token */
  verify: (token: string) => Promise<PgPrincipal | undefined> | PgPrincipal | undefined;
  /** the catalogued streams, for the catalog mirror (filtered per token) */
  listStreams: () => Promise<string[]>;
  /** a stream table's typed field columns, for the catalog mirror (none when absent) */
  fieldColumns?: (stream: string) => Promise<readonly StreamFieldColumn[]>;
}

/**
 * The wire protocol's statements over the HTTP gateway's own query path: QueryService (planner, sql-guard sandbox,
 * stream tables of archive ∪ live, fair admission per token, row cap, timeout), after the per-stream check the HTTP
 * QueryStreamsGuard makes. Always the DuckDB engine: it yields typed rows, and limited tokens may only use it.
 */
export class QueryServiceBackend implements PgBackend {
  readonly catalog: PgCatalog;

  constructor(private readonly deps: QueryBackendDeps) {
    this.catalog = new PgCatalog(deps.listStreams, {}, deps.fieldColumns);
  }

  async authenticate(password: string): Promise<PgPrincipal | undefined> {
    if (password === '') return undefined;
    const principal = await this.deps.verify(password);
    // admin stands for every role, as on HTTP (service-kit's RolesGuard)
    return principal?.roles.has('query') || principal?.roles.has('admin') ? principal : undefined;
  }

  async query(sql: string, principal: PgPrincipal, signal: AbortSignal): Promise<PgRowSource> {
    const { queries } = this.deps;
    if (principal.streams) {
      const outside = await queries.streamsOutsideGrant(sql, principal.streams);
      if (outside.length > 0) throw new PgError('42501', `permission denied: this token is not granted stream ${outside[0]}`, { detail: 'STREAM_FORBIDDEN' });
    }
    if (signal.aborted) throw new PgError('57014', 'canceling statement due to user request');
    const status = await queries.submit({ sql, engine: 'duckdb' }, principal.id);
    const cancel = () => {
      try {
        queries.cancel(status.id);
      } catch {
        // already gone
      }
    };
    signal.addEventListener('abort', cancel);
    try {
      await queries.waitForSuccess(status.id);
    } catch (err) {
      cancel();
      throw err;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    const result = queries.results(status.id);
    const readText = result.readTextRows?.bind(result);
    if (!readText) {
      cancel();
      throw new FluxError('internal', 'QUERY_FAILED', 'the engine gave no typed rows');
    }
    return {
      // JSON columns (payload) keep their alias, so they are answered as json
      columns: result.columns.map((c, i) => ({ name: c.name, type: result.typeNames?.[i] ?? c.type })),
      rowCount: result.rowCount,
      truncated: result.truncated,
      readText,
      // releases the result (QueryService.cancel of a finished query drops it)
      close: cancel,
    };
  }
}
