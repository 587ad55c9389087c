// What `fluxcap stack` and `fluxcap dev` share: the stack's flags, fixed ports and names, and how it starts.

import { startLocalStack, type KinesisEmulator, type RunningStack } from '@flux-capacitor/local-stack';
import { Command, Option } from 'commander';
import { join } from 'node:path';
import { cliEnv } from './cli-env';
import { FLUX_DIR } from './workspace';

export const DEV_BUCKET = 'flux-archive';
export const DEV_ARCHIVE_URI = `s3://${DEV_BUCKET}/archive`;
/** Fixed ports for `fluxcap dev`/`stack`, so URLs stay the same across restarts. */
export const DEV_PORTS = { kinesis: 4567, sqs: 4576, s3: 4572, postgres: 5433 };

export interface StackFlags {
  kinesis: KinesisEmulator;
  randomPorts?: boolean;
  dataDir?: string;
  database: string;
}

export function stackOptions(program: Command): Command {
  return program
    .addOption(new Option('--kinesis <emulator>', 'Kinesis emulator').choices(['kinesalite', 'kinesis-local']).default('kinesalite'))
    .option('--random-ports', 'pick free ports instead of the fixed development ports')
    .option('--data-dir <dir>', 'where emulator data lives', FLUX_DIR)
    .option('--database <name>', 'the database flux keeps its state in (on the DATABASE_URL server, or the embedded Postgres), created when missing', 'flux');
}

/** Starts the emulators and Postgres; returns the stack and the settings that reach it. */
export async function startDevStack(flags: StackFlags, log: (line: string) => void): Promise<RunningStack> {
  return startLocalStack({
    dataDir: flags.dataDir ?? FLUX_DIR,
    kinesis: flags.kinesis,
    // The archive, catalog and checkpoints in the data dir outlive a restart; the streams they point into must too.
    persistKinesis: true,
    ports: flags.randomPorts ? {} : DEV_PORTS,
    databaseUrl: cliEnv.databaseUrl,
    database: flags.database,
    buckets: [DEV_BUCKET],
    onLog: log,
  }).then((stack) => {
    stack.env.FLUX_ARCHIVE_URI = DEV_ARCHIVE_URI;
    return stack;
  });
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** `.flux/dev.env`, or `dev.env` inside --data-dir. */
export const devEnvFile = (flags: StackFlags) => join(flags.dataDir ?? FLUX_DIR, 'dev.env');
