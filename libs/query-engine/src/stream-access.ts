import type { SqlAnalysis } from './sql-analysis';

export interface StreamAccessDeps {
  /** the query's own analysis (the same parser and refusals as submit) */
  analyze(sql: string): Promise<Pick<SqlAnalysis, 'tables'>>;
  /** the planner's test of whether a name is a stream: catalogued, or readable from Kinesis */
  isStream(name: string): Promise<boolean>;
}

/**
 * The streams `sql` reads that are not in `granted`, for a caller whose token is limited to streams. Every
 * unqualified table the statement names is a stream candidate (the planner reads any that is a stream); one the
 * grant names passes at once, any other is looked up, and a name that is no stream (a CTE, a typo DuckDB will
 * report) passes. Names compare exactly, as the planner looks them up. Invalid SQL throws as on submit.
 */
export async function streamsOutsideGrant(sql: string, granted: ReadonlySet<string>, deps: StreamAccessDeps): Promise<string[]> {
  const { tables } = await deps.analyze(sql);
  const outside: string[] = [];
  for (const table of tables) if (!granted.has(table) && (await deps.isStream(table))) outside.push(table);
  return outside;
}
