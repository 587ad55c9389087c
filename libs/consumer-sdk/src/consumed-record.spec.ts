import { aggregate } from '@flux-capacitor/kinesis';
import { fromKclRecord, fromLambdaKinesisRecord, userRecordsOf } from './consumed-record';

describe('record adapters', () => {
  it('reads a Lambda Kinesis event record: stream from the ARN, shard from the event id, seconds to ms', () => {
    const [r] = fromLambdaKinesisRecord({
      eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
      eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
      kinesis: { data: Buffer.from([0xff, 0, 1]).toString('base64'), sequenceNumber: '49590338271490256608559692538361571095921575989136588898', partitionKey: 'k', approximateArrivalTimestamp: 1767225600.123 },
    });
    expect(r).toMatchObject({ stream: 'orders', shardId: 'shardId-000000000006', partitionKey: 'k', subSequenceNumber: 0 });
    expect(Buffer.from(r.data)).toEqual(Buffer.from([0xff, 0, 1]));
    expect((r.arrivalTime as Date).getTime()).toBe(1767225600123);
  });

  it('de-aggregates KPL records of GetRecords and Lambda into user records numbered by sub-sequence', () => {
    const data = aggregate([
      { partitionKey: 'a', data: Buffer.from('1') },
      { partitionKey: 'b', data: Buffer.from('2') },
    ]);
    const users = userRecordsOf('orders', 'shardId-000000000000', { Data: data, PartitionKey: 'agg', SequenceNumber: '7', ApproximateArrivalTimestamp: new Date(5) });
    expect(users.map((u) => [u.partitionKey, u.subSequenceNumber, Buffer.from(u.data).toString()])).toEqual([
      ['a', 0, '1'],
      ['b', 1, '2'],
    ]);
    const lambda = fromLambdaKinesisRecord({ eventID: 'shardId-000000000000:7', eventSourceARN: 'arn:aws:kinesis:us-east-1:1:stream/orders', kinesis: { data: data.toString('base64'), sequenceNumber: '7', partitionKey: 'agg', approximateArrivalTimestamp: 1 } });
    expect(lambda).toHaveLength(2);
  });

  it('reads a KCL record with base64 data', () => {
    const r = fromKclRecord('shardId-000000000001', 'orders', { data: Buffer.from('hi').toString('base64'), partitionKey: 'k', sequenceNumber: '5', subSequenceNumber: 2, approximateArrivalTimestamp: 42 });
    expect(r).toMatchObject({ stream: 'orders', shardId: 'shardId-000000000001', sequenceNumber: '5', subSequenceNumber: 2, arrivalTime: 42 });
    expect(Buffer.from(r.data).toString()).toBe('hi');
  });
});
