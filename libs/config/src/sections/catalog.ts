import { z } from 'zod';
import { envBoolean, envInt, envUrl } from '../env-types';

const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be a SQL identifier (letters, digits, _)' });

/** Catalog service: schema inference and the metastores it keeps in sync (each off unless configured). */
export const catalogEnv = z.object({
  FLUX_CATALOG_SCHEMA_SAMPLE_RECORDS: envInt(1, 10_000_000)
    .default(10000)
    .describe('Records of each archived object read to infer the stream schema.'),
  FLUX_HIVE_METASTORE_URI: z
    .string()
    .regex(/^thrift:\/\/[^:/]+:\d+$/, { message: 'must be thrift://host:port' })
    .optional()
    .describe('Hive metastore to keep in sync (thrift://host:9083): external Parquet table per stream, partitions as they appear. Unset: off.'),
  FLUX_HIVE_DATABASE: identifier.default('flux').describe('Hive database of the archive tables.'),
  FLUX_GLUE_DATABASE: identifier
    .optional()
    .describe('AWS Glue Data Catalog database to keep in sync (table per stream, partitions in batches of 100). Unset: off.'),
  FLUX_GLUE_CATALOG_ID: z.string().regex(/^\d{12}$/, { message: 'must be a 12-digit AWS account id' }).optional().describe('Glue catalog id (account); defaults to the caller\'s account.'),
  AWS_ENDPOINT_URL_GLUE: envUrl.optional().describe('Endpoint override for Glue only; wins over AWS_ENDPOINT_URL.'),
  FLUX_CATALOG_DRILL_VIEWS: envBoolean
    .default(false)
    .describe('Create and update one typed Drill view per stream in FLUX_DRILL_SCHEMA on the Drill at FLUX_DRILL_URL (the views the gateway queries with FLUX_QUERY_ENGINE=drill).'),
  FLUX_CATALOG_DRILL_ARCHIVE_SCHEMA: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, { message: 'must be a Drill storage plugin or workspace such as s3 or dfs.archive' })
    .default('dfs')
    .describe('Drill storage plugin (or plugin.workspace) whose root is the archive root; a stream view reads <schema>.<stream>.'),
  FLUX_CATALOG_METASTORE_STRICT: envBoolean
    .default(false)
    .describe('Fail (and retry) an archive.object.written message when a metastore sync fails, instead of logging it.'),
  FLUX_CATALOG_COMPACTION: envBoolean
    .optional()
    .describe(
      'Compact closed hours: rewrite each hour\'s objects as objects sorted by partition key (lookups by key then read one row group per object) in a folder of their own, move the hour\'s Hive/Glue partition there, retire the objects they replace and delete them after FLUX_CATALOG_COMPACT_GRACE_MINUTES. Default: on, unless Drill is configured (FLUX_DRILL_URL): Drill reads the stream\'s folders directly and would see both until then; turning it on with Drill is an error.',
    ),
  FLUX_CATALOG_COMPACT_SETTLE_MINUTES: envInt(0, 10_080)
    .default(60)
    .describe('Minutes after an hour ends before it is compacted (its last objects arrive within the archiver\'s buffer interval; a later object is compacted in a later pass).'),
  FLUX_CATALOG_COMPACT_INTERVAL_SECONDS: envInt(10, 86_400)
    .default(300)
    .describe('Seconds from the end of one compaction pass to the start of the next (the first runs one interval after start).'),
  FLUX_CATALOG_COMPACT_GRACE_MINUTES: envInt(1, 525_600)
    .default(1440)
    .describe('Minutes a retired object stays in the archive after compaction replaced it: longer than any query or replay that may still read it.'),
  FLUX_CATALOG_COMPACT_MAX_MIB: envInt(1, 65_536)
    .default(512)
    .describe('Most archive bytes (MiB, as stored) rewritten into one compacted object; an hour holding more becomes several sorted objects.'),
  FLUX_CATALOG_COMPACT_MEMORY_MIB: envInt(64, 65_536)
    .default(256)
    .describe('DuckDB memory limit of a compaction; rows beyond it spill to FLUX_CATALOG_COMPACT_TEMP_DIR.'),
  FLUX_CATALOG_COMPACT_TEMP_DIR: z.string().optional().describe('Local folder for a compaction\'s downloads, spill and output. Defaults to the OS temp folder.'),
});

export type CatalogEnv = z.infer<typeof catalogEnv>;

export interface CatalogConfig {
  schemaSampleRecords: number;
  hive?: { host: string; port: number; database: string };
  glue?: { database: string; catalogId?: string; endpoint?: string };
  /** Drill views: on when FLUX_CATALOG_DRILL_VIEWS is true; URL and view schema are the gateway's FLUX_DRILL_URL / FLUX_DRILL_SCHEMA. */
  drill?: { url: string; viewSchema: string; archiveSchema: string };
  metastoreStrict: boolean;
  compaction: CompactionConfig;
}

/** Compaction of closed hours (docs/catalog.md "Compaction of closed hours"). */
export interface CompactionConfig {
  enabled: boolean;
  settleMs: number;
  intervalMs: number;
  graceMs: number;
  maxInputBytes: number;
  memoryBytes: number;
  tempDir?: string;
}

export function buildCatalog(
  env: CatalogEnv & { AWS_ENDPOINT_URL?: string; FLUX_DRILL_URL?: string; FLUX_DRILL_SCHEMA?: string },
  addIssue: (key: string, message: string) => void,
): CatalogConfig {
  if (env.FLUX_CATALOG_DRILL_VIEWS && !env.FLUX_DRILL_URL) addIssue('FLUX_DRILL_URL', 'is required when FLUX_CATALOG_DRILL_VIEWS is true');
  // Drill reads the stream's whole folder, the replaced objects with the compacted ones until the grace ends (Hive
  // and Glue read the partition's location, which compaction moves).
  const folderReader = env.FLUX_DRILL_URL ? 'FLUX_DRILL_URL' : undefined;
  if (env.FLUX_CATALOG_COMPACTION === true && folderReader) {
    addIssue(
      'FLUX_CATALOG_COMPACTION',
      `cannot be on with ${folderReader}: Drill reads a stream's folders directly and would see an hour's records twice until the replaced objects are deleted (set FLUX_CATALOG_COMPACTION=false)`,
    );
  }
  let hive: CatalogConfig['hive'];
  if (env.FLUX_HIVE_METASTORE_URI) {
    const m = /^thrift:\/\/([^:/]+):(\d+)$/.exec(env.FLUX_HIVE_METASTORE_URI)!;
    hive = { host: m[1], port: Number(m[2]), database: env.FLUX_HIVE_DATABASE };
  }
  return {
    schemaSampleRecords: env.FLUX_CATALOG_SCHEMA_SAMPLE_RECORDS,
    hive,
    glue: env.FLUX_GLUE_DATABASE
      ? {
          database: env.FLUX_GLUE_DATABASE,
          catalogId: env.FLUX_GLUE_CATALOG_ID,
          endpoint: env.AWS_ENDPOINT_URL_GLUE ?? env.AWS_ENDPOINT_URL,
        }
      : undefined,
    drill:
      env.FLUX_CATALOG_DRILL_VIEWS && env.FLUX_DRILL_URL
        ? {
            url: env.FLUX_DRILL_URL.replace(/\/+$/, ''),
            viewSchema: env.FLUX_DRILL_SCHEMA ?? 'dfs.flux',
            archiveSchema: env.FLUX_CATALOG_DRILL_ARCHIVE_SCHEMA,
          }
        : undefined,
    metastoreStrict: env.FLUX_CATALOG_METASTORE_STRICT,
    compaction: {
      enabled: env.FLUX_CATALOG_COMPACTION ?? !folderReader,
      settleMs: env.FLUX_CATALOG_COMPACT_SETTLE_MINUTES * 60_000,
      intervalMs: env.FLUX_CATALOG_COMPACT_INTERVAL_SECONDS * 1000,
      graceMs: env.FLUX_CATALOG_COMPACT_GRACE_MINUTES * 60_000,
      maxInputBytes: env.FLUX_CATALOG_COMPACT_MAX_MIB * 1024 * 1024,
      memoryBytes: env.FLUX_CATALOG_COMPACT_MEMORY_MIB * 1024 * 1024,
      tempDir: env.FLUX_CATALOG_COMPACT_TEMP_DIR,
    },
  };
}
