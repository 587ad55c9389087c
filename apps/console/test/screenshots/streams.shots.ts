import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { openSignedIn, type ConsoleStack } from '../support/browser-harness';
import type { ShotContext } from './run';

/**
 * A few orders with a new optional field and a string amount, so the catalog infers a second schema version and the
 * schema view has changes to mark.
 */
async function evolveSchema(stack: ConsoleStack): Promise<void> {
  const kinesis = createKinesisClient({ region: stack.env.AWS_REGION, endpoints: { kinesis: stack.env.AWS_ENDPOINT_URL_KINESIS }, s3ForcePathStyle: true });
  try {
    const records = Array.from({ length: 20 }, (_, i) => ({
      PartitionKey: `customer-${i}`,
      Data: Buffer.from(JSON.stringify({ id: `evt-v2-${i}`, type: 'order.paid', customer: `customer-${i}`, amount: (i * 3.5).toFixed(2), at: new Date().toISOString(), coupon: i % 2 ? 'WINTER10' : null })),
    }));
    await kinesis.send(new PutRecordsCommand({ StreamName: 'orders', Records: records }));
  } finally {
    kinesis.destroy();
  }
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await fetch(`${stack.env.FLUX_CATALOG_URL}/v1/streams`, { headers: { authorization: `Bearer ${stack.token}` } });
    const { streams } = (await res.json()) as { streams: { name: string; schemaVersion: number | null }[] };
    if ((streams.find((s) => s.name === 'orders')?.schemaVersion ?? 0) >= 2) return;
    if (Date.now() > deadline) throw new Error('the catalog did not infer a second schema version of orders within 90 s');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Streams: the list with lag and retention, and one stream's schema tree with what changed since its first version. */
export default async function shoot({ stack, browser, save }: ShotContext): Promise<void> {
  await evolveSchema(stack);
  for (const scheme of ['light', 'dark'] as const) {
    const list = await openSignedIn(browser, stack, { path: '/streams', colorScheme: scheme });
    // the archiver's status is written with its lease heartbeat: wait until the shards are reported
    await list.getByRole('table', { name: 'streams' }).getByLabel(/^health: (Healthy|Lagging|At risk)/).first().waitFor({ timeout: 60_000 });
    await list.waitForTimeout(300);
    await save(list, `console-streams-${scheme}`);
    await list.context().close();

    const schema = await openSignedIn(browser, stack, { path: '/streams/orders?tab=schema', colorScheme: scheme });
    await schema.getByRole('table', { name: 'schema fields' }).getByRole('row').nth(1).waitFor({ timeout: 30_000 });
    await schema.waitForTimeout(300);
    await save(schema, `console-stream-schema-${scheme}`);
    await schema.context().close();
  }
}
