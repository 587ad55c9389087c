import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import { Archiver } from '@flux-capacitor/shard-archiver';
import { createKinesisClient } from '@flux-capacitor/aws';
import { CatalogReader, CatalogWriter } from '@flux-capacitor/archive-catalog';
import type { FluxConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { createQueryService, type QueryService } from '@flux-capacitor/query-engine';
import { ReplayPlanner, ReplayRepository, ReplayService, ReplayWorker, type ReplayView } from '@flux-capacitor/replay';
import { createStream, createTestDatabase, putInOrder, readStream, testConfig, testEnvironment, uniqueName, type StreamRecord, type TestDatabase } from '@flux-capacitor/testing';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/**
 * A replay test bench on the real local stack: its own database, a file archive, Kinesis streams in kinesalite,
 * the real archiver (its announcements registered straight into the catalog, as the catalog service would) and a
 * replay service + worker wired like the coordinator's.
 */
export class ReplayFixture {
  readonly kinesis: KinesisClient;
  readonly store: ArchiveStore;
  private services: { service: ReplayService; worker: ReplayWorker; queries: QueryService }[] = [];

  private constructor(
    readonly root: string,
    readonly db: TestDatabase,
    readonly env: Record<string, string>,
    readonly config: FluxConfig,
    readonly ds: DataSource,
  ) {
    this.kinesis = createKinesisClient(config.aws);
    this.store = createArchiveStore(config.archive);
  }

  static async create(overrides: Record<string, string> = {}): Promise<ReplayFixture> {
    Logger.overrideLogger(['error', 'warn']);
    const root = mkdtempSync(join(tmpdir(), 'flux-replay-'));
    const db = await createTestDatabase();
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
      FLUX_QUERY_WORK_DIR: join(root, 'query'),
      FLUX_REPLAY_WORK_DIR: join(root, 'replay'),
      FLUX_REPLAY_POLL_MS: '200',
      FLUX_REPLAY_LEASE_SECONDS: '3',
      FLUX_BUFFER_INTERVAL_SECONDS: '1',
      FLUX_GET_RECORDS_IDLE_MS: '200',
      // kinesalite does not throttle: let replays use it fully
      FLUX_REPLAY_SHARD_RECORDS_PER_SECOND: '100000',
      FLUX_REPLAY_SHARD_BYTES_PER_SECOND: '104857600',
      ...overrides,
    });
    const config = testConfig(env);
    const ds = await createDataSource(db.url).initialize();
    return new ReplayFixture(root, db, env, config, ds);
  }

  createStream(shards = 2, name = uniqueName('replay')): Promise<string> {
    return createStream(this.kinesis, name, shards);
  }

  put(stream: string, records: { key: string; data: Uint8Array | string }[]): Promise<void> {
    return putInOrder(this.kinesis, stream, records);
  }

  readAll(stream: string): Promise<StreamRecord[]> {
    return readStream(this.kinesis, stream);
  }

  /** Archives what the stream holds now with the real archiver, registering each object in the catalog. */
  async archive(stream: string): Promise<number> {
    const writer = new CatalogWriter(this.ds);
    const archiver = await Archiver.create({
      config: this.config,
      kinesis: this.kinesis,
      publisher: { publish: (_type, payload) => writer.registerObject(payload) },
      dataSource: this.ds,
    });
    try {
      const summary = await archiver.runOnce(stream);
      return summary.records;
    } finally {
      await archiver.close();
    }
  }

  /** A replay service and worker, as the coordinator wires them. */
  replayService(owner = uniqueName('coord')): { service: ReplayService; worker: ReplayWorker } {
    const c = this.config;
    const queries = createQueryService(
      { ...c.query, workDir: join(c.replay.workDir, `engine-${owner}`), live: { ...c.query.live, enabled: true } },
      { catalog: new CatalogReader(this.ds), archive: this.store, kinesis: this.kinesis },
    );
    const replays = new ReplayRepository(this.ds);
    const planner = new ReplayPlanner(queries, { workDir: c.replay.workDir, memoryLimit: c.replay.memoryLimit, live: c.replay.live });
    // warnings and errors reach the test output (a replay that stalls says why)
    const logger = { log: () => undefined, warn: (o: object) => console.warn('ReplayWorker', JSON.stringify(o)), error: (o: object) => console.error('ReplayWorker', JSON.stringify(o)) };
    const worker = new ReplayWorker({
      owner,
      replays,
      planner,
      kinesis: this.kinesis,
      store: this.store,
      settings: { ...c.replay, workDir: c.replay.workDir },
      logger,
    });
    const service = new ReplayService({
      replays,
      planner,
      queries,
      kinesis: this.kinesis,
      publisher: { publish: async () => worker.wake() },
      allowedTargets: c.replay.allowedTargets,
    });
    this.services.push({ service, worker, queries });
    return { service, worker };
  }

  /** Polls a replay until it leaves planning/running. */
  async waitFor(service: ReplayService, id: string, states: ReplayView['state'][] = ['planned', 'completed', 'failed', 'cancelled'], timeoutMs = 120_000): Promise<ReplayView> {
    return vi.waitFor(
      async () => {
        const view = await service.get(id);
        if (!states.includes(view.state)) throw new Error(`replay ${id} still ${view.state}: ${JSON.stringify(view.error)}`);
        return view;
      },
      { timeout: timeoutMs, interval: 100 },
    );
  }

  async close(): Promise<void> {
    for (const s of this.services) {
      await s.worker.close();
      s.queries.close();
    }
    this.kinesis.destroy();
    await this.ds.destroy();
    await this.db.drop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
