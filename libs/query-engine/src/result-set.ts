/** A column of a query result: its name and the engine's type name. */
export interface ResultColumn {
  name: string;
  type: string;
}

/** One result row as JSON: BLOBs base64, timestamps ISO-8601 UTC, JSON columns as JSON values. */
export type ResultRow = Record<string, unknown>;

/** What an engine leaves behind once a query has run: its rows, kept until the result is closed. */
export interface ResultSet {
  readonly columns: ResultColumn[];
  readonly rowCount: number;
  /** true when the query produced more rows than the cap and the rest were dropped */
  readonly truncated: boolean;
  /** rows [offset, offset + limit) as JSON text, one object per line */
  readJsonLines(offset: number, limit: number): Promise<string[]>;
  /** each column's type with its alias where the engine keeps one (`JSON` for a VARCHAR that holds JSON), for typed clients */
  readonly typeNames?: readonly string[];
  /** rows [offset, offset + limit) as PostgreSQL text output (the wire protocol); absent when the engine cannot */
  readTextRows?(offset: number, limit: number): Promise<(string | null)[][]>;
  /** writes every row to a Parquet file and returns its path (removed with the result); null when the engine cannot */
  exportParquet(): Promise<string | null>;
  close(): void;
}

export interface QueryProgress {
  objectsTotal: number;
  objectsScanned: number;
  rowsScanned: number;
  /** the size of the archive objects the query reads (their catalogued bytes) */
  bytesScanned: number;
  liveRecords: number;
}
