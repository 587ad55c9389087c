/** Options every subcommand accepts. */
export interface GlobalOptions {
  json?: boolean;
}

/** Prints a result: one JSON document with --json, else the human rendering. */
export function printResult<T>(result: T, options: GlobalOptions, human: (r: T) => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${human(result)}\n`);
}

/** A plain text table with aligned columns. */
export function renderTable(rows: Record<string, unknown>[], columns?: string[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c]).length))));
  const line = (vals: string[]) => vals.map((v, i) => v.slice(0, widths[i]).padEnd(widths[i])).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}
