import type { RunningStack, StackEndpoints } from '@flux-capacitor/local-stack';
import { stackEnv } from '@flux-capacitor/local-stack';

/** True when testcontainers can reach a container engine (Docker, Podman, ...). */
export async function containerEngineAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/**
 * The same stack as `startLocalStack`, from containers: LocalStack for Kinesis, SQS and S3, and PostgreSQL.
 * Used where a container engine is reachable, so CI machines with Docker test against LocalStack too.
 */
export async function startContainerStack(): Promise<RunningStack> {
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [localstack, postgres] = await Promise.all([
    new LocalstackContainer('localstack/localstack:4').withEnvironment({ SERVICES: 'kinesis,sqs,s3', KINESIS_SHARD_LIMIT: '1000' }).start(),
    new PostgreSqlContainer('postgres:17-alpine').withDatabase('flux').start(),
  ]);
  const aws = localstack.getConnectionUri();
  const databaseUrl = postgres.getConnectionUri();
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const endpoints: StackEndpoints = {
    region: 'us-east-1',
    kinesis: aws,
    sqs: aws,
    s3: aws,
    databaseUrl,
    adminDatabaseUrl: admin.toString(),
    kinesisEmulator: 'kinesalite',
    postgres: 'external',
  };
  return {
    endpoints,
    env: stackEnv(endpoints),
    stop: async () => {
      await Promise.all([localstack.stop(), postgres.stop()]);
    },
  };
}
