import { Counter, register } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** Replay metrics on prom-client's default registry (the replay coordinator's `/metrics`). */
export const replayMetrics = {
  finished: once(
    'flux_replay_replays_finished_total',
    () => new Counter({ name: 'flux_replay_replays_finished_total', help: 'Replays that ended, by final state (completed, failed)', labelNames: ['state'] }),
  ),
  recordsPut: once(
    'flux_replay_records_put_total',
    () => new Counter({ name: 'flux_replay_records_put_total', help: 'Records the replay workers put into target streams (acknowledged by Kinesis)' }),
  ),
  recordsFailed: once(
    'flux_replay_records_failed_total',
    () => new Counter({ name: 'flux_replay_records_failed_total', help: 'Records a target stream refused for good (counted in the replay\'s failures)' }),
  ),
  bytesPut: once('flux_replay_put_bytes_total', () => new Counter({ name: 'flux_replay_put_bytes_total', help: 'Record data bytes put into target streams' })),
};
