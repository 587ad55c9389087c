import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, type TestDatabase } from '@flux-capacitor/testing';
import { Logger, type LoggerService } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/**
 * A failed query is logged through the process's logger (the CLI sends it to stderr), never by TypeORM's console
 * logger on stdout: `fluxcap archive --once --json` printed "query failed: ..." lines after its JSON document when a
 * heartbeat met the closing pool, and those lines carried the statement's parameters.
 */
describe('a failed query (Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    Logger.overrideLogger(['warn', 'error']);
  });

  it('is logged by the process logger without its parameters, and nothing reaches stdout', async () => {
    const lines: unknown[] = [];
    const capture: LoggerService = { log: () => undefined, error: (m) => void lines.push(m), warn: (m) => void lines.push(m) };
    Logger.overrideLogger(capture);
    const written: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      await expect(ds.query('SELECT * FROM no_such_table WHERE secret = $1', ['the-secret-value'])).rejects.toThrow(/no_such_table/);
    } finally {
      process.stdout.write = write;
    }
    expect(written.filter((w) => /query failed|no_such_table/.test(w))).toEqual([]);
    expect(lines).toEqual([expect.objectContaining({ msg: 'query failed', query: 'SELECT * FROM no_such_table WHERE secret = $1', error: expect.stringMatching(/no_such_table/) })]);
    expect(JSON.stringify(lines)).not.toContain('the-secret-value');
  });
});
