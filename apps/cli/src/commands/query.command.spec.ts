import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { UsageError } from '../cli-error';
import { describeProgress, readSql } from './query.command';

const stdin = (text: string, isTTY = false) => Object.assign(Readable.from([Buffer.from(text)]), { isTTY }) as unknown as NodeJS.ReadStream;

describe('readSql', () => {
  it('takes the argument, a file (without its trailing semicolon) or piped stdin', async () => {
    expect(await readSql('SELECT 1', undefined, stdin(''))).toBe('SELECT 1');
    const file = join(mkdtempSync(join(tmpdir(), 'flux-sql-')), 'q.sql');
    writeFileSync(file, 'SELECT 2;\n');
    expect(await readSql(undefined, file, stdin(''))).toBe('SELECT 2');
    expect(await readSql(undefined, undefined, stdin(' SELECT 3 ;\n'))).toBe('SELECT 3');
    expect(await readSql('-', undefined, stdin('SELECT 4'))).toBe('SELECT 4');
  });

  it('is a usage error without SQL, with both an argument and a file, or with empty SQL', async () => {
    await expect(readSql(undefined, undefined, stdin('', true))).rejects.toThrow(UsageError);
    await expect(readSql('SELECT 1', 'x.sql', stdin(''))).rejects.toThrow(UsageError);
    await expect(readSql(undefined, undefined, stdin(' ;\n'))).rejects.toThrow(new UsageError('the SQL is empty'));
  });
});

describe('describeProgress', () => {
  it('says what a running query has scanned so far', () => {
    expect(describeProgress({ state: 'queued', progress: { objectsTotal: 0, objectsScanned: 0, rowsScanned: 0, bytesScanned: 0, liveRecords: 0 } })).toBe('queued');
    expect(describeProgress({ state: 'running', progress: { objectsTotal: 10, objectsScanned: 3, rowsScanned: 120_000, bytesScanned: 4 * 1024 * 1024, liveRecords: 12 } })).toBe(
      'running: 3/10 objects, 120,000 rows, 4.0 MiB scanned, 12 live records',
    );
  });
});
