/** The environment the CLI reads: where the running services are (see .flux/dev.env) and how to reach them. */
export const cliEnv = {
  get archiverUrl() {
    return process.env.FLUX_ARCHIVER_URL || undefined;
  },
  get catalogUrl() {
    return process.env.FLUX_CATALOG_URL || undefined;
  },
  get queryUrl() {
    return process.env.FLUX_QUERY_URL || undefined;
  },
  get replayUrl() {
    return process.env.FLUX_REPLAY_URL || undefined;
  },
  get apiToken() {
    return process.env.FLUX_API_TOKEN || undefined;
  },
  get databaseUrl() {
    return process.env.DATABASE_URL || undefined;
  },
  /**
   * Where the SQS queues are, for `fluxcap status`'s dead-letter depths; undefined when no AWS or emulator setting is
   * present (a user with only service URLs and a token).
   */
  get sqs(): { region: string; endpoint?: string; queuePrefix: string } | undefined {
    const env = process.env;
    const endpoint = env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL || undefined;
    if (!endpoint && !env.AWS_REGION && !env.AWS_PROFILE && !env.AWS_ACCESS_KEY_ID) return undefined;
    return { region: env.AWS_REGION || 'us-east-1', endpoint, queuePrefix: env.FLUX_SQS_QUEUE_PREFIX ?? 'flux-' };
  },
  /** The whole environment, for commands that validate it with loadConfig or pass it to child processes. */
  get all(): NodeJS.ProcessEnv {
    return process.env;
  },
};
