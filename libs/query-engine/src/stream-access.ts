import type { SqlAnalysis } from './sql-analysis';

export interface StreamAccessDeps {
  /** the query's own analysis (the same parser and refusals as submit) */
  analyze(sql: string): Promise<Pick<SqlAnalysis, 'tables'>>;
}

/**
 * The tables `sql` reads that are not in `granted`, for a caller whose token is limited to streams. Every
 * unqualified table the statement reads (a CTE where it is in scope is none) is a stream to the planner, so any
 * outside the grant is refused without looking it up: the check costs no Kinesis or archive call, cannot race a
 * stream being created, and does not tell the caller which streams exist. Names compare exactly, as the planner
 * looks them up. Invalid SQL throws as on submit.
 */
export async function streamsOutsideGrant(sql: string, granted: ReadonlySet<string>, deps: StreamAccessDeps): Promise<string[]> {
  const { tables } = await deps.analyze(sql);
  return tables.filter((table) => !granted.has(table));
}
