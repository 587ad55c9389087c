/** The few environment switches the test harness honours (tests themselves never read process.env). */
export const testEnv = {
  /** `local` (emulators), `containers` (testcontainers), or unset: containers when an engine is reachable. */
  stack: process.env.FLUX_TEST_STACK as 'local' | 'containers' | undefined,
  /** Postgres server to create test databases on; unset starts an embedded PostgreSQL. */
  databaseUrl: process.env.DATABASE_URL || undefined,
  kinesis: (process.env.FLUX_TEST_KINESIS as 'kinesalite' | 'kinesis-local' | undefined) ?? 'kinesalite',
};
