import { GetQueueUrlCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@flux-capacitor/aws';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { ConsistencyFixture, duplicateReplayedRecords, keyName, type ReplayView } from '../support/consistency-fixture';

const REPLAYS = 6;
const RECORDS = 600;

/**
 * Two coordinator processes share one database and one queue. Six replays are requested through both, and each is
 * announced three times on the queue (its `replay.lifecycle` created, a second one, and that envelope redelivered),
 * so both instances wake and race to claim it: each replay is planned and run once, by one instance, and every
 * source record lands in its target exactly once.
 */
describe('two replay coordinators on one database and queue', () => {
  let fx: ConsistencyFixture;
  beforeAll(async () => {
    fx = await ConsistencyFixture.create();
  });
  afterAll(() => fx.close());

  it('run every replay once, writing each record once, whichever instance claims it', async () => {
    const source = await fx.createStream(2, 'replicas-src');
    await fx.put(source, Array.from({ length: RECORDS }, (_, v) => ({ key: keyName(v % 150), v, seed: 1 })));
    expect(await fx.archive(source)).toBe(RECORDS);
    const targets = await Promise.all(Array.from({ length: REPLAYS }, () => fx.createStream(1, 'replicas-dst')));

    // At most two replays at a time per instance: six replays need both.
    const overrides = { FLUX_REPLAY_MAX_CONCURRENT: '2' };
    const coordinators = await Promise.all([fx.startCoordinator(overrides), fx.startCoordinator(overrides)]);
    const replays: ReplayView[] = [];
    for (let i = 0; i < REPLAYS; i++) {
      replays.push(await fx.api<ReplayView>(coordinators[i % 2], 'POST', '/v1/replays', { source, target: targets[i], pace: { mode: 'rate', recordsPerSecond: 400 } }));
    }
    const sqs = createSqsClient(fx.config.aws);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${fx.config.sqs.queuePrefix}replay-coordinator` }));
    const publisher = new SqsPublisher({ client: sqs, settings: fx.config.sqs, producer: 'replay-coordinator' });
    const wakeUps: string[] = [];
    for (const r of replays) {
      // A second 'created' (a new envelope), then that same envelope again (a redelivery).
      wakeUps.push(JSON.stringify(await publisher.publish('replay.lifecycle', { replayId: r.id, event: 'created' })));
    }
    for (let i = 0; i < wakeUps.length; i += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: wakeUps.slice(i, i + 10).map((MessageBody, j) => ({ Id: String(j), MessageBody })) }));
    }
    sqs.destroy();

    const owners = new Set<string>();
    for (const [i, created] of replays.entries()) {
      const done = await fx.waitForReplay(coordinators[(i + 1) % 2], created.id, (v) => v.state === 'completed', 180_000);
      expect(done.progress).toMatchObject({ selected: RECORDS, put: RECORDS, failed: 0 });
      const audit = await fx.api<{ items: { actor: string; action: string }[] }>(coordinators[i % 2], 'GET', `/v1/replays/${created.id}/audit`);
      const byCoordinator = audit.items.filter((e) => e.actor.startsWith('coordinator:'));
      // Planned once, completed once, both by the one instance that claimed it; never resumed by another.
      expect(byCoordinator.map((e) => e.action)).toEqual(['planned', 'completed']);
      expect(new Set(byCoordinator.map((e) => e.actor)).size).toBe(1);
      owners.add(byCoordinator[0].actor);
      const written = duplicateReplayedRecords(await fx.readAll(targets[i]), created.id);
      expect(written).toEqual({ replayed: RECORDS, duplicates: 0 });
    }
    // Both instances ran replays.
    expect(owners.size).toBe(2);
  }, 300_000);
});
