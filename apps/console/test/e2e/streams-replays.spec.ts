import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser, openSignedIn, startConsoleStack, type ConsoleStack } from '../support/browser-harness';

// The Streams and Replays pages in Debian's chromium against a real `fluxcap dev --random-ports` (its own embedded
// Postgres, emulators and four services), seeded through the CLI. Located by role and text, as a person reads them.

const missing = chromiumMissing();
if (missing) console.warn(missing);

const RECORDS = 300;

describe.skipIf(missing !== null)('console: streams and replays in a browser', () => {
  let stack: ConsoleStack;
  let browser: Browser;

  const api = async <T>(url: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(url, { ...init, headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json', ...init.headers } });
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    // DATABASE_URL '' : an embedded Postgres of its own, so no other stack's archiver shares its leases or catalog.
    stack = await startConsoleStack({ env: { DATABASE_URL: '' }, timeoutMs: 180_000 });
    browser = await launchBrowser();
    stack.fluxcap(['produce', '--stream', 'orders', '--count', String(RECORDS)]);
    // Archived (the dev buffer interval is 10 s) and its schema inferred, so the pages have something to show.
    await vi.waitFor(
      async () => {
        const { streams } = await api<{ streams: { name: string; recordCount: number; schemaVersion: number | null }[] }>(`${stack.env.FLUX_CATALOG_URL}/v1/streams`);
        const orders = streams.find((s) => s.name === 'orders');
        // At least: a demo producer (h-cli's `fluxcap dev --demo`) may be writing more.
        expect(orders?.recordCount).toBeGreaterThanOrEqual(RECORDS);
        expect(orders?.schemaVersion).not.toBeNull();
      },
      { timeout: 120_000, interval: 1000 },
    );
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 90_000);

  const cellsOf = async (page: Page, table: string) =>
    page
      .getByRole('table', { name: table })
      .getByRole('row')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td,th')].map((c) => (c.textContent ?? '').trim())));

  it("opens a stream from the list and sees its shards' lag and its schema", async () => {
    const page = await openSignedIn(browser, stack, { path: '/streams' });
    const row = page.getByRole('table', { name: 'streams' }).getByRole('row', { name: /orders/ }).first();
    await row.waitFor();
    // 'Unknown' until the archiver's first status report after it read the shards (the page refreshes every 5 s).
    await expect.poll(() => row.getByLabel(/^health: /).textContent(), { timeout: 30_000 }).toMatch(/^(Healthy|Lagging|At risk|No heartbeat)$/);
    await page.getByRole('link', { name: 'orders', exact: true }).click();
    await page.getByRole('heading', { name: 'orders', level: 2 }).waitFor();

    // Shards: both shards of the dev stream, each with an owner and its lag in seconds (or caught up).
    await page.getByRole('table', { name: 'shards' }).waitFor({ timeout: 30_000 });
    const shards = (await cellsOf(page, 'shards')).slice(1);
    expect(shards.map((c) => c[0]).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    for (const cells of shards) {
      expect(cells[2]).not.toBe('unowned');
      expect(cells[3]).toMatch(/^(caught up|\d+(\.\d)? s|\d+ min.*)$/);
    }

    // Schema: the order events' fields with their types.
    await page.getByRole('tab', { name: 'Schema' }).click();
    await page.getByRole('table', { name: 'schema fields' }).waitFor();
    const fields = (await cellsOf(page, 'schema fields')).slice(1);
    const customer = fields.find((c) => c[0].endsWith('customer'));
    expect(customer?.[1]).toBe('string');
    expect(await page.getByLabel('Schema version', { exact: true }).first().inputValue()).toMatch(/^v\d+ · .*\(latest\)$/);

    // Search opens the Search page on this stream's last hour, and that query runs.
    await page.getByRole('link', { name: 'Search', exact: true }).last().click();
    await page.waitForURL(/\/search\?/);
    expect(new URL(page.url()).searchParams.get('sql')).toMatch(/FROM orders\nWHERE arrival_time >= TIMESTAMP '/);
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('grid', { name: 'Results' }).getByRole('gridcell').first().waitFor({ timeout: 60_000 });
    await page.context().close();
  }, 120_000);

  it("follows the stream's live tail: records written after it opened appear, with their JSON", async () => {
    const page = await openSignedIn(browser, stack, { path: '/streams/orders?tab=tail' });
    await page.getByText(/^Following/).waitFor();
    // the first poll sets the cursor at the tip; only what arrives after it is shown
    await page.getByText(/checked \d\d:\d\d:\d\d UTC/).waitFor({ timeout: 30_000 });
    stack.fluxcap(['produce', '--stream', 'orders', '--count', '5']);
    const rows = page.getByRole('table', { name: 'live records' }).getByRole('button', { name: /^record \d+ of shardId-/ });
    await rows.first().waitFor({ timeout: 30_000 });
    await vi.waitFor(async () => expect(await rows.count()).toBeGreaterThanOrEqual(5), { timeout: 30_000, interval: 500 });
    await rows.first().click();
    expect(await page.getByRole('table', { name: 'live records' }).locator('pre').first().textContent()).toMatch(/"customer":/);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByText(/^Paused/).waitFor();
    await page.context().close();
  }, 120_000);

  it('shows an API error next to the field that caused it', async () => {
    const page = await openSignedIn(browser, stack, { path: '/replays/new?source=orders' });
    await page.getByRole('combobox', { name: 'Target stream' }).fill('no-such-stream');
    await page.getByRole('button', { name: 'Preview plan (dry run)' }).click();
    const target = page.getByRole('combobox', { name: 'Target stream' });
    await page.getByText(/target stream no-such-stream does not exist/).waitFor();
    expect(await target.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await target.getAttribute('aria-describedby')) ?? '';
    const described = await Promise.all(describedBy.split(/\s+/).filter(Boolean).map((id) => page.locator(`[id="${id}"]`).textContent()));
    expect(described.join(' ')).toContain('does not exist in Kinesis');
    await page.context().close();
  }, 60_000);

  it('runs a dry run, shows its plan, asks for the name when the target is the source, then replays into another stream to completed', async () => {
    const page = await openSignedIn(browser, stack, { path: '/replays/new?source=orders' });

    // Into its own source: the confirmation needs the stream's name typed.
    await page.getByRole('button', { name: 'Preview plan (dry run)' }).click();
    await page.getByText('Records per source shard').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Start replay…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Start this replay?' });
    const start = dialog.getByRole('button', { name: 'Start replay' });
    expect(await start.isDisabled()).toBe(true);
    await dialog.getByRole('textbox', { name: 'Type orders to confirm' }).fill('orders');
    expect(await start.isDisabled()).toBe(false);
    await dialog.getByRole('button', { name: 'Back' }).click();

    // Into orders-replay: the plan counts every produced record (and any a demo producer added) over both shards.
    await page.getByRole('combobox', { name: 'Target stream' }).fill('orders-replay');
    await page.getByText('The form changed since this plan').waitFor();
    await page.getByRole('button', { name: 'Preview plan (dry run)' }).click();
    await page.getByText('The form changed since this plan').waitFor({ state: 'detached', timeout: 60_000 });
    await page.getByText('Records per source shard').waitFor({ timeout: 60_000 });
    const planned = Number((await page.getByRole('group', { name: 'Records', exact: true }).getByText(/^[\d,]+$/).textContent())?.replace(/,/g, ''));
    expect(planned).toBeGreaterThanOrEqual(RECORDS);
    const perShard = (await cellsOf(page, 'records per shard')).map((c) => [c[0], Number(c[1].replace(/,/g, ''))] as const);
    expect(perShard.map(([shard]) => shard)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(perShard.reduce((n, [, count]) => n + count, 0)).toBe(planned);
    expect((await cellsOf(page, 'sample records')).length).toBeGreaterThan(1);

    // Records arriving after the preview (these, and the demo producer's) are not written: the start is pinned to the plan.
    stack.fluxcap(['produce', '--stream', 'orders', '--count', '25']);
    await page.getByRole('button', { name: 'Start replay…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Start this replay?' });
    expect(await confirm.textContent()).toMatch(/records arriving from now on are left out/);
    await confirm.getByRole('button', { name: 'Start replay' }).click();
    await page.waitForURL(/\/replays\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop() as string;
    await page.getByLabel('state: completed').waitFor({ timeout: 120_000 });
    const n = planned.toLocaleString('en-US');
    await page.getByText(`${n} of ${n} records (100 %)`).waitFor();
    // The audit trail is refetched when the state moves: wait for its last entry.
    await page.getByRole('table', { name: 'audit trail' }).getByRole('cell', { name: 'completed', exact: true }).waitFor();
    expect((await cellsOf(page, 'audit trail')).map((c) => c[2])).toEqual(expect.arrayContaining(['created', 'planned', 'completed']));

    // The list shows it completed, and the coordinator agrees.
    await page.getByRole('link', { name: 'Replays' }).first().click();
    const listed = page.getByRole('table', { name: 'replays' }).getByRole('row').filter({ has: page.locator(`a[href="/replays/${id}"]`) });
    await listed.waitFor();
    expect(await listed.getByLabel(/^state: /).textContent()).toBe('completed');
    const view = await api<{ state: string; progress: { put: number }; spec: { until?: string; untilSequence?: Record<string, string> } }>(`${stack.env.FLUX_REPLAY_URL}/v1/replays/${id}`);
    expect(view).toMatchObject({ state: 'completed', progress: { put: planned } });
    expect(Object.keys(view.spec.untilSequence ?? {}).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(view.spec.until).toBeDefined();
    await page.context().close();
  }, 240_000);

  it("compacts with a delete condition: 'Leave them out' drops deleted orders, and Replay again keeps the condition", async () => {
    // Three orders of this test; two are deleted afterwards (the demo's order.deleted events: ids only, data not empty).
    const event = (orderId: string, type: string) => JSON.stringify({ type, order_id: orderId, customer: 'customer-e2e', ...(type === 'order.deleted' ? {} : { status: 'created', amount: 10 }) });
    const lines = [event('e2e-del-1', 'order.created'), event('e2e-del-2', 'order.created'), event('e2e-del-3', 'order.created'), event('e2e-del-1', 'order.deleted'), event('e2e-del-2', 'order.deleted')];
    stack.fluxcap(['produce', '--stream', 'orders', '--key', 'customer'], `${lines.join('\n')}\n`);
    const page = await openSignedIn(browser, stack, { path: `/replays/new?source=orders&target=orders-replay&where=${encodeURIComponent("(payload->>'order_id') LIKE 'e2e-del-%'")}` });
    await page.getByRole('switch', { name: /Key compaction/ }).check();
    await page.getByRole('textbox', { name: 'Compaction key' }).fill("payload->>'order_id'");
    await page.getByRole('textbox', { name: 'Delete condition' }).fill("(payload->>'type') = 'order.deleted'");
    const records = page.getByRole('group', { name: 'Records', exact: true }).getByText(/^[\d,]+$/);

    // Replay them: the two deletes are kept whatever the filter says (with the demo's own deletes).
    await page.getByRole('button', { name: 'Preview plan (dry run)' }).click();
    await page.getByText('Records per source shard').waitFor({ timeout: 60_000 });
    const deletes = Number((await page.getByText(/^[\d,]+ deletes$/).textContent())?.replace(/\D/g, ''));
    expect(deletes).toBeGreaterThanOrEqual(2);

    // Leave them out: only the order that was not deleted.
    await page.getByRole('radiogroup', { name: 'Deletes' }).getByText('Leave them out', { exact: true }).click();
    await page.getByRole('button', { name: 'Preview plan (dry run)' }).click();
    await page.getByText('The form changed since this plan').waitFor({ state: 'detached', timeout: 60_000 });
    await page.getByText('0 deletes', { exact: true }).waitFor({ timeout: 60_000 });
    expect(await records.textContent()).toBe('1');

    // The dry run's spec carries the condition, and Replay again fills it back in.
    const dryRunId = (await page.getByRole('link', { name: 'details' }).getAttribute('href'))?.split('/').pop();
    await page.goto(`${stack.consoleUrl}/replays/new?like=${dryRunId}`);
    await vi.waitFor(async () => expect(await page.getByRole('textbox', { name: 'Delete condition' }).inputValue()).toBe("(payload->>'type') = 'order.deleted'"), { timeout: 30_000, interval: 250 });
    await page.context().close();
  }, 180_000);
});
