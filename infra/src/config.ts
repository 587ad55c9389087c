import { STREAM_NAME_PATTERN } from '@flux-capacitor/contracts';
import { z } from 'zod';

const streamName = z.string().regex(STREAM_NAME_PATTERN, { message: 'must be a Kinesis stream name (letters, digits, _ . -, at most 128)' });
const kinesisArn = z.string().regex(/^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/, { message: 'must be a Kinesis stream ARN' });
const acmArn = z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, { message: 'must be an ACM certificate ARN' });
const secretArn = z.string().regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, { message: 'must be a Secrets Manager secret ARN' });
const identifier = z.string().regex(/^[a-z_][a-z0-9_]{0,254}$/, { message: 'must be lower-case letters, digits and _' });

/**
 * One stream. The streams are usually the user's: `arn` (or `existing: true`, for a stream of this account and region
 * found by name) imports it; otherwise the data stack creates it. `shardCount` of an imported stream is still needed:
 * it bounds the archiver's task count.
 */
const streamSchema = z
  .object({
    name: streamName,
    arn: kinesisArn.optional().describe('Import this stream (any account the tasks may reach).'),
    existing: z.boolean().default(false).describe('Import the stream of this name in the deployment account and region.'),
    shardCount: z.number().int().min(1).max(10_000).default(2),
    retentionHours: z.number().int().min(24).max(8760).default(24).describe('The stream\'s retention: the archiver alarm fires at half of it.'),
    archive: z.boolean().default(true).describe('Archive this stream (false: only a replay target).'),
  })
  .strict()
  .refine((s) => !(s.arn && s.arn.split('/').pop() !== s.name), { message: 'the ARN names another stream', path: ['arn'] });

const taskSize = (cpu: number, memoryMiB: number, minTasks: number, maxTasks: number) =>
  z
    .object({
      cpu: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096), z.literal(8192)]).default(cpu as 256),
      memoryMiB: z.number().int().min(512).max(61_440).default(memoryMiB),
      minTasks: z.number().int().min(1).max(100).default(minTasks),
      maxTasks: z.number().int().min(1).max(100).default(maxTasks),
    })
    .strict()
    .prefault({})
    .refine((t) => t.maxTasks >= t.minTasks, { message: 'maxTasks must be at least minTasks' });

/** Everything a deployment chooses, validated once before any construct is built (see infra/README.md). */
export const infraConfigSchema = z
  .object({
    /** Prefix of every stack name: several deployments can share an account. */
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,22}$/, { message: 'must be a letter, then at most 22 letters, digits or -' }).default('FluxCapacitor'),
    account: z.string().regex(/^\d{12}$/).optional(),
    /** Required: the load balancer's access logs are written by a per-region principal. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'must be an AWS region such as eu-west-1' }),
    streams: z.array(streamSchema).min(1),
    /** Streams a replay may write into: names from `streams`. The coordinator may put into these and no other. */
    replayTargets: z.array(streamName).default([]),
    archive: z
      .object({
        bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/).optional(),
        prefix: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('archive'),
        /** Days before archive objects move to S3 Standard-IA, then to Glacier Instant Retrieval (both readable at once). */
        infrequentAccessAfterDays: z.number().int().min(30).default(30),
        glacierAfterDays: z.number().int().min(90).optional(),
        noncurrentVersionDays: z.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    queues: z
      .object({ prefix: z.string().regex(/^[A-Za-z0-9_-]*$/).default('flux-'), maxReceiveCount: z.number().int().min(1).max(1000).default(5) })
      .strict()
      .prefault({}),
    /** The HTTPS listener's certificate; `domainName` only documents the URL in the outputs (DNS stays the user's). */
    certificateArn: acmArn,
    domainName: z.string().optional(),
    /** CIDR ranges allowed to reach the load balancer (default: anywhere; the APIs authenticate every request). */
    allowedCidrs: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/)).min(1).default(['0.0.0.0/0']),
    /** Container images: ECR repositories `<repositoryPrefix><service>` at `tag` (pushed by the release build). */
    images: z
      .object({ repositoryPrefix: z.string().regex(/^[a-z0-9._/-]*$/).default('flux-capacitor/'), tag: z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/).default('latest') })
      .strict()
      .prefault({}),
    apiTokensSecretArn: secretArn.optional().describe('An existing secret holding FLUX_API_TOKENS; created (for you to fill) when unset.'),
    capacity: z
      .object({
        archiver: taskSize(1024, 2048, 2, 8),
        catalog: taskSize(512, 1024, 1, 2),
        gateway: taskSize(2048, 4096, 1, 4),
        replay: taskSize(1024, 2048, 1, 2),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        minAcu: z.number().min(0).max(256).default(0.5),
        maxAcu: z.number().min(1).max(256).default(4),
        /** Alarm when the cluster volume grows past this. */
        storageAlarmGiB: z.number().int().min(1).default(100),
        deletionProtection: z.boolean().default(true),
        rotationDays: z.number().int().min(1).max(365).default(30),
      })
      .strict()
      .prefault({}),
    glueDatabase: identifier.default('flux_archive'),
    enableAthena: z.boolean().default(false),
    enableDrill: z.boolean().default(false),
    drill: z
      .object({
        releaseLabel: z.string().regex(/^emr-\d+\.\d+\.\d+$/).default('emr-7.12.0'),
        drillVersion: z.string().regex(/^\d+\.\d+\.\d+$/).default('1.22.0'),
        instanceType: z.string().default('m7g.xlarge'),
        coreNodes: z.number().int().min(1).max(100).default(2),
      })
      .strict()
      .prefault({}),
    /**
     * The query gateway's PostgreSQL endpoint (docs/pgwire.md) behind a Network Load Balancer, TCP passed through:
     * the gateway does TLS itself, since PostgreSQL clients ask for TLS inside the protocol (SSLRequest), which a
     * TLS-terminating listener cannot answer. Off unless set.
     */
    pgWire: z
      .object({
        /** The load balancer's port (the gateway listens on 5432 inside its task). */
        port: z.number().int().min(1).max(65_535).default(5432),
        /** A secret with `FLUX_PG_TLS_CERT` and `FLUX_PG_TLS_KEY`, PEM text (ACM does not hand out private keys). */
        tlsSecretArn: secretArn,
        /** Who may connect; defaults to `allowedCidrs`. */
        allowedCidrs: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/)).min(1).optional(),
      })
      .strict()
      .optional(),
    /** Where alarm notifications go (an SNS e-mail subscription); alarms still fire without it. */
    alarmEmail: z.email().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = c.streams.map((s) => s.name);
    names.forEach((n, i) => names.indexOf(n) !== i && ctx.addIssue({ code: 'custom', path: ['streams', i, 'name'], message: `"${n}" is listed twice` }));
    c.replayTargets.forEach((t, i) => !names.includes(t) && ctx.addIssue({ code: 'custom', path: ['replayTargets', i], message: `"${t}" is not one of streams[].name` }));
    if (!c.streams.some((s) => s.archive)) ctx.addIssue({ code: 'custom', path: ['streams'], message: 'at least one stream must be archived' });
    if (c.database.maxAcu < c.database.minAcu) ctx.addIssue({ code: 'custom', path: ['database', 'maxAcu'], message: 'must be at least minAcu' });
  });

export type InfraConfig = z.infer<typeof infraConfigSchema>;
export type StreamConfig = InfraConfig['streams'][number];

/** Why a deployment's configuration was refused: every bad setting by its path. */
export class InfraConfigError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(`invalid infra config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'InfraConfigError';
  }
}

export function parseInfraConfig(input: unknown): InfraConfig {
  const parsed = infraConfigSchema.safeParse(input);
  if (!parsed.success) throw new InfraConfigError(parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })));
  return parsed.data;
}
