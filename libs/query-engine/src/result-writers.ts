import type { ResultSet } from './result-set';

const CHUNK = 10_000;

/** Streams a result as NDJSON (one JSON object per line), a chunk of rows at a time. */
export async function writeNdjson(result: ResultSet, write: (chunk: string) => Promise<void> | void, offset = 0): Promise<void> {
  for (let at = offset; at < result.rowCount; at += CHUNK) {
    const lines = await result.readJsonLines(at, CHUNK);
    if (lines.length === 0) break;
    await write(`${lines.join('\n')}\n`);
  }
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Streams a result as RFC 4180 CSV with a header row; nested values (payload) are written as JSON. */
export async function writeCsv(result: ResultSet, write: (chunk: string) => Promise<void> | void): Promise<void> {
  const names = result.columns.map((c) => c.name);
  await write(`${names.map(csvField).join(',')}\r\n`);
  for (let at = 0; at < result.rowCount; at += CHUNK) {
    const lines = await result.readJsonLines(at, CHUNK);
    if (lines.length === 0) break;
    let out = '';
    for (const line of lines) {
      const row = JSON.parse(line) as Record<string, unknown>;
      out += `${names.map((n) => csvField(row[n])).join(',')}\r\n`;
    }
    await write(out);
  }
}
