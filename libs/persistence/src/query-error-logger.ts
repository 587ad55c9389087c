import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's failed queries through the process's own logger, not TypeORM's console logger: that one writes to stdout,
 * where a CLI command's `--json` document must stand alone, and it prints the query's parameters (records' data).
 * The caller handles the error itself; this line only says which statement failed.
 */
export class QueryErrorLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  logQueryError(error: string | Error, query: string): void {
    this.logger.warn({ msg: 'query failed', query: query.length > 300 ? `${query.slice(0, 300)}...` : query, error: error instanceof Error ? error.message : error });
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn({ msg: String(message) });
  }

  // Successful queries, slow ones (maxQueryExecutionTime is unset), schema builds and migrations (which log
  // themselves) are not logged.
  logQuery(): undefined {
    return undefined;
  }
  logQuerySlow(): undefined {
    return undefined;
  }
  logSchemaBuild(): undefined {
    return undefined;
  }
  logMigration(): undefined {
    return undefined;
  }
}
