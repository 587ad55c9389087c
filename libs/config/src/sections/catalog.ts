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
});

export type CatalogEnv = z.infer<typeof catalogEnv>;

export interface CatalogConfig {
  schemaSampleRecords: number;
  hive?: { host: string; port: number; database: string };
  glue?: { database: string; catalogId?: string; endpoint?: string };
  /** Drill views: on when FLUX_CATALOG_DRILL_VIEWS is true; URL and view schema are the gateway's FLUX_DRILL_URL / FLUX_DRILL_SCHEMA. */
  drill?: { url: string; viewSchema: string; archiveSchema: string };
  metastoreStrict: boolean;
}

export function buildCatalog(
  env: CatalogEnv & { AWS_ENDPOINT_URL?: string; FLUX_DRILL_URL?: string; FLUX_DRILL_SCHEMA?: string },
  addIssue: (key: string, message: string) => void,
): CatalogConfig {
  if (env.FLUX_CATALOG_DRILL_VIEWS && !env.FLUX_DRILL_URL) addIssue('FLUX_DRILL_URL', 'is required when FLUX_CATALOG_DRILL_VIEWS is true');
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
  };
}
