import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ArchiveStore } from '@flux-capacitor/archive';
import type { DataSource } from 'typeorm';
import type { QueryConfig } from '@flux-capacitor/config';
import { ArchiveObjectCache } from './archive-object-cache';
import { DrillEngine } from './drill-engine';
import { DuckDbEngine } from './duckdb-engine';
import { KinesisLiveTail } from './live-tail';
import type { QueryCatalog } from './query-planner';
import { QueryJobRepository } from './query-job.repository';
import { QueryJobs } from './query-jobs';
import { QueryService } from './query-service';
import { SqlAnalyzer } from './sql-analysis';
import { QueryResultStore } from './stored-result';

export interface QueryServiceWiring {
  catalog: QueryCatalog;
  /** the archive (`createArchiveStore(config.archive, s3)`): every archive object is read through it */
  archive: ArchiveStore;
  /** for the live tail; without it stream tables hold archived records only */
  kinesis?: KinesisClient;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** Builds a QueryService from the validated `query` config section. */
export function createQueryService(config: QueryConfig, wiring: QueryServiceWiring): QueryService {
  const workDir = resolve(config.workDir);
  const runs = join(workDir, 'runs');
  mkdirSync(runs, { recursive: true });
  // Scratch folders of queries a previous process did not finish (a crash): nothing can still use them.
  for (const entry of readdirSync(runs)) if (entry.startsWith('q-')) rmSync(join(runs, entry), { recursive: true, force: true });
  return new QueryService({
    catalog: wiring.catalog,
    analyzer: new SqlAnalyzer(),
    duckdb: new DuckDbEngine({ workDir: runs, threads: config.threads, memoryLimit: config.memoryLimit, maxIdleInstances: config.idleInstances }),
    cache: new ArchiveObjectCache({ directory: join(workDir, 's3-cache'), maxBytes: config.cacheMaxBytes, store: wiring.archive }),
    drill: config.drill ? new DrillEngine(config.drill) : undefined,
    liveTail: wiring.kinesis ? new KinesisLiveTail(wiring.kinesis) : undefined,
    limits: {
      defaultEngine: config.defaultEngine,
      timeoutMs: config.timeoutMs,
      maxRows: config.maxRows,
      syncMaxRows: config.syncMaxRows,
      maxConcurrent: config.maxConcurrent,
      admission: config.admission,
      resultTtlMs: config.resultTtlMs,
      live: config.live,
    },
    log: wiring.log,
  });
}

/**
 * Builds the gateway's shared asynchronous queries over a QueryService: state in Postgres (`dataSource`), results in
 * the archive store under `_results/`.
 */
export function createQueryJobs(config: QueryConfig, wiring: { queries: QueryService; dataSource: DataSource; archive: ArchiveStore; log?: QueryServiceWiring['log'] }): QueryJobs {
  const transfers = join(resolve(config.workDir), 'results');
  // Uploads and downloads a previous process did not finish (a crash): the store has the real copies.
  rmSync(transfers, { recursive: true, force: true });
  mkdirSync(transfers, { recursive: true });
  return new QueryJobs({
    queries: wiring.queries,
    repository: new QueryJobRepository(wiring.dataSource),
    results: new QueryResultStore(wiring.archive, transfers),
    leaseMs: config.jobLeaseMs,
    resultTtlMs: config.resultTtlMs,
    log: wiring.log,
  });
}
