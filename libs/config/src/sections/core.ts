import { z } from 'zod';
import { parseArchiveUri, type ArchiveLocation } from '../archive-uri';
import { buildDatabaseTls, databaseTlsEnv, type DatabaseTls } from '../database-tls';
import { envBoolean, envInt, envPort, envUrl } from '../env-types';

/** Settings every service reads. Descriptions feed the configuration table in the README. */
export const coreEnv = z.object({
  DATABASE_URL: z
    .string({ message: 'is required (e.g. postgres://postgres@127.0.0.1:5432/flux), or DATABASE_HOST, DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD' })
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
    .describe('Postgres connection URL. Required, unless DATABASE_HOST, DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD are set.'),
  DATABASE_HOST: z.string().optional().describe('With DATABASE_URL unset: the Postgres host the URL is built from.'),
  DATABASE_PORT: z.string().optional().describe('With DATABASE_URL unset: the Postgres port (default 5432).'),
  DATABASE_NAME: z.string().optional().describe('With DATABASE_URL unset: the database name.'),
  DATABASE_USER: z.string().optional().describe('With DATABASE_URL unset: the user name.'),
  DATABASE_PASSWORD: z.string().optional().describe('With DATABASE_URL unset: the password (URL-encoded into the URL for you).'),
  FLUX_DATABASE_QUERY_TIMEOUT_MS: envInt(1000, 3_600_000)
    .default(30_000)
    .describe('Longest one database query may take before it fails (client and server side), so a silent database cannot hang a service.'),
  // Database TLS (database-tls.ts)
  ...databaseTlsEnv,
  FLUX_ARCHIVE_URI: z
    .string({ message: 'is required (s3://bucket/prefix or file:///absolute/path)' })
    .superRefine((uri, ctx) => {
      const parsed = parseArchiveUri(uri);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
    })
    .describe('Where the archive lives: `s3://bucket/prefix` or `file:///absolute/path`. Required.'),
  AWS_REGION: z.string().min(1).default('us-east-1').describe('AWS region of the stream, queues and bucket.'),
  AWS_ENDPOINT_URL: envUrl.optional().describe('Endpoint override for every AWS service (local emulators, LocalStack).'),
  AWS_ENDPOINT_URL_KINESIS: envUrl.optional().describe('Endpoint override for Kinesis only; wins over AWS_ENDPOINT_URL.'),
  AWS_ENDPOINT_URL_S3: envUrl.optional().describe('Endpoint override for S3 only; wins over AWS_ENDPOINT_URL.'),
  AWS_ENDPOINT_URL_SQS: envUrl.optional().describe('Endpoint override for SQS only; wins over AWS_ENDPOINT_URL.'),
  FLUX_S3_FORCE_PATH_STYLE: envBoolean
    .optional()
    .describe('Address buckets by path (needed by most emulators). Defaults to true when an S3 endpoint is set.'),
  PORT: envPort.optional().describe("HTTP port of the service. Defaults to the service's own port (7101-7104)."),
  HOST: z.string().default('127.0.0.1').describe('Interface the HTTP server binds to.'),
  FLUX_API_MAX_BODY_BYTES: envInt(1024, 64 * 1024 * 1024)
    .default(262_144)
    .describe('Largest request body an HTTP API accepts, in bytes; a larger one is answered 413 PAYLOAD_TOO_LARGE.'),
  FLUX_API_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((s) => s.trim()).filter(Boolean))
    .superRefine((origins, ctx) => {
      for (const origin of origins) {
        if (origin !== '*' && !isOrigin(origin)) ctx.addIssue({ code: 'custom', message: `"${origin}" is not an origin (scheme://host[:port], no path), nor *` });
      }
    })
    .describe(
      'Web origins (comma-separated, e.g. `http://127.0.0.1:7103`, or `*`) whose pages may call the HTTP API from a browser (CORS: GET, POST, DELETE with the Authorization and Content-Type headers; bearer tokens, no cookies). Empty: no CORS headers. `fluxcap dev` sets it to the console origin.',
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Minimum log level.'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json').describe('`json` (one object per line) or `pretty`.'),
  FLUX_METRICS_EMF: envBoolean
    .default(false)
    .describe('Also write the CloudWatch metrics (archiver lag, failed replays) as embedded-metric-format JSON lines on stdout, for CloudWatch Logs to extract. The CDK app turns it on.'),
  FLUX_SQS_QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, { message: 'may hold only letters, digits, - and _' })
    .default('flux-')
    .describe('Prefix of every queue name, so several deployments can share an account.'),
  FLUX_SQS_CREATE_QUEUES: envBoolean
    .default(true)
    .describe('Create missing queues and dead-letter queues at start-up. Turn off where infra owns them.'),
  FLUX_SQS_MAX_RECEIVE_COUNT: envInt(1, 1000)
    .default(5)
    .describe('Receives before a message moves to its dead-letter queue.'),
  FLUX_SQS_WAIT_SECONDS: envInt(0, 20).default(20).describe('Long-poll wait of each ReceiveMessage call.'),
  FLUX_SQS_VISIBILITY_SECONDS: envInt(5, 43200)
    .default(30)
    .describe('Visibility timeout; extended while a handler is still running.'),
  FLUX_SQS_BATCH_SIZE: envInt(1, 10).default(10).describe('Messages fetched per ReceiveMessage call.'),
  FLUX_SHUTDOWN_GRACE_MS: envInt(0, 600000)
    .default(25000)
    .describe('How long SIGTERM waits for in-flight work before handing it back.'),
});

/** `http://host:port` exactly as a browser sends it in the Origin header: a scheme, a host, maybe a port, nothing else. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text;
  } catch {
    return false;
  }
}

export type CoreEnv = z.infer<typeof coreEnv>;

export interface CoreConfig {
  database: { url: string; queryTimeoutMs: number; tls: DatabaseTls };
  archive: ArchiveLocation;
  aws: {
    region: string;
    endpoints: { kinesis?: string; s3?: string; sqs?: string };
    s3ForcePathStyle: boolean;
  };
  /** corsOrigins: the origins allowed to call from a browser; empty = no CORS */
  http: { port?: number; host: string; maxBodyBytes: number; corsOrigins: string[] };
  log: { level: CoreEnv['LOG_LEVEL']; format: CoreEnv['LOG_FORMAT'] };
  /** CloudWatch embedded-metric-format lines on stdout */
  metrics: { emf: boolean };
  sqs: {
    queuePrefix: string;
    createQueues: boolean;
    maxReceiveCount: number;
    waitTimeSeconds: number;
    visibilityTimeoutSeconds: number;
    batchSize: number;
  };
  shutdownGraceMs: number;
}

export function buildCore(env: CoreEnv, addIssue: (key: string, message: string) => void): CoreConfig {
  const archive = parseArchiveUri(env.FLUX_ARCHIVE_URI);
  if (typeof archive === 'string') addIssue('FLUX_ARCHIVE_URI', archive);
  const s3 = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return {
    database: { url: env.DATABASE_URL, queryTimeoutMs: env.FLUX_DATABASE_QUERY_TIMEOUT_MS, tls: buildDatabaseTls(env, addIssue) },
    archive: typeof archive === 'string' ? ({} as ArchiveLocation) : archive,
    aws: {
      region: env.AWS_REGION,
      endpoints: {
        kinesis: env.AWS_ENDPOINT_URL_KINESIS ?? env.AWS_ENDPOINT_URL,
        s3,
        sqs: env.AWS_ENDPOINT_URL_SQS ?? env.AWS_ENDPOINT_URL,
      },
      s3ForcePathStyle: env.FLUX_S3_FORCE_PATH_STYLE ?? s3 !== undefined,
    },
    http: { port: env.PORT, host: env.HOST, maxBodyBytes: env.FLUX_API_MAX_BODY_BYTES, corsOrigins: env.FLUX_API_CORS_ORIGINS },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    metrics: { emf: env.FLUX_METRICS_EMF },
    sqs: {
      queuePrefix: env.FLUX_SQS_QUEUE_PREFIX,
      createQueues: env.FLUX_SQS_CREATE_QUEUES,
      maxReceiveCount: env.FLUX_SQS_MAX_RECEIVE_COUNT,
      waitTimeSeconds: env.FLUX_SQS_WAIT_SECONDS,
      visibilityTimeoutSeconds: env.FLUX_SQS_VISIBILITY_SECONDS,
      batchSize: env.FLUX_SQS_BATCH_SIZE,
    },
    shutdownGraceMs: env.FLUX_SHUTDOWN_GRACE_MS,
  };
}
