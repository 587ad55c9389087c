import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { StreamNotFoundError } from './kinesis.errors';
import { ShardReader } from './shard-reader';

/**
 * Contract test: kinesalite never throttles nor expires iterators on demand, so these error paths run against a fake
 * client that raises the exceptions Kinesis documents for GetRecords
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html#API_GetRecords_Errors):
 * ProvisionedThroughputExceededException, ExpiredIteratorException, ResourceNotFoundException.
 */
function fakeKinesis(script: ((input: Record<string, unknown>) => unknown)[]) {
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  const client = {
    send: async (command: GetRecordsCommand | GetShardIteratorCommand) => {
      const input = command.input as unknown as Record<string, unknown>;
      calls.push({ command: command.constructor.name, input });
      if (command instanceof GetShardIteratorCommand) return { ShardIterator: `it-${calls.length}` };
      const step = script.shift();
      if (!step) return { Records: [], MillisBehindLatest: 0, NextShardIterator: 'it-tail' };
      return step(input);
    },
  };
  return { client: client as unknown as KinesisClient, calls };
}

const record = (seq: string) => ({ SequenceNumber: seq, Data: new Uint8Array([1]), PartitionKey: 'k', ApproximateArrivalTimestamp: new Date() });
const meta = { $metadata: {} };

describe('ShardReader', () => {
  it('backs off on ProvisionedThroughputExceeded and loses nothing', async () => {
    let throttled = 0;
    const { client } = fakeKinesis([
      () => {
        throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard', ...meta });
      },
      () => {
        throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard', ...meta });
      },
      () => ({ Records: [record('1'), record('2')], MillisBehindLatest: 5, NextShardIterator: 'n1' }),
    ]);
    const reader = new ShardReader(client, 's', 'shardId-0', { type: 'TRIM_HORIZON' }, { limit: 100, minIntervalMs: 1, onThrottle: () => throttled++ });
    const batch = await reader.next();
    expect(batch.records.map((r) => r.SequenceNumber)).toEqual(['1', '2']);
    expect(batch.millisBehindLatest).toBe(5);
    expect(throttled).toBe(2);
  });

  it('renews an expired iterator right after the last record it returned', async () => {
    const { client, calls } = fakeKinesis([
      () => ({ Records: [record('10'), record('11')], MillisBehindLatest: 0, NextShardIterator: 'n1' }),
      () => {
        throw new ExpiredIteratorException({ message: 'Iterator expired', ...meta });
      },
      () => ({ Records: [record('12')], MillisBehindLatest: 0, NextShardIterator: 'n2' }),
    ]);
    const reader = new ShardReader(client, 's', 'shardId-0', { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '9' }, { limit: 100, minIntervalMs: 1 });
    expect((await reader.next()).records.map((r) => r.SequenceNumber)).toEqual(['10', '11']);
    expect((await reader.next()).records.map((r) => r.SequenceNumber)).toEqual(['12']);
    const iterators = calls.filter((c) => c.command === 'GetShardIteratorCommand').map((c) => c.input);
    expect(iterators).toEqual([
      { StreamName: 's', ShardId: 'shardId-0', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '9', Timestamp: undefined },
      { StreamName: 's', ShardId: 'shardId-0', ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: '11', Timestamp: undefined },
    ]);
    expect(calls.filter((c) => c.command === 'GetRecordsCommand').every((c) => c.input.Limit === 100)).toBe(true);
  });

  it('reports the end of a closed shard', async () => {
    const { client } = fakeKinesis([() => ({ Records: [record('5')], MillisBehindLatest: 0, NextShardIterator: undefined })]);
    const batch = await new ShardReader(client, 's', 'shardId-0', { type: 'TRIM_HORIZON' }, { limit: 10, minIntervalMs: 1 }).next();
    expect(batch.ended).toBe(true);
    expect(batch.records).toHaveLength(1);
  });

  it('names the stream when it does not exist', async () => {
    const { client } = fakeKinesis([
      () => {
        throw new ResourceNotFoundException({ message: 'Stream gone under account 1 not found.', ...meta });
      },
    ]);
    const reader = new ShardReader(client, 'gone', 'shardId-0', { type: 'TRIM_HORIZON' }, { limit: 10, minIntervalMs: 1 });
    await expect(reader.next()).rejects.toThrow(StreamNotFoundError);
  });
});
