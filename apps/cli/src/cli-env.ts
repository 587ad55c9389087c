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
  /** The whole environment, for commands that validate it with loadConfig or pass it to child processes. */
  get all(): NodeJS.ProcessEnv {
    return process.env;
  },
};
