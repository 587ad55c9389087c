import type { Command } from 'commander';
import { withExamples } from '../help-example';
import { DEV_ARCHIVE_URI, devEnvFile, stackOptions, startDevStack, untilSignal, type StackFlags } from '../dev-stack';
import { writeEnvFile } from '../workspace';

export function registerStackCommand(program: Command): void {
  stackOptions(
    withExamples(
      program
        .command('stack')
        .description('Start the local AWS emulators (Kinesis, SQS, S3) and Postgres; print their endpoints as one JSON line and write .flux/dev.env'),
      'fluxcap stack --random-ports',
    ),
  ).action(async (flags: StackFlags) => {
    const stack = await startDevStack(flags, (line) => process.stderr.write(`${line}\n`));
    writeEnvFile(devEnvFile(flags), stack.env);
    process.stdout.write(`${JSON.stringify({ ...stack.endpoints, archiveUri: DEV_ARCHIVE_URI, envFile: devEnvFile(flags) })}\n`);
    await untilSignal();
    await stack.stop();
  });
}
