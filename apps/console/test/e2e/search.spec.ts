import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser, newContext, openSignedIn, startConsoleStack, signInWithTokenBox, waitFor, waitForArchived, type ConsoleStack } from '../support/browser-harness';

const missing = chromiumMissing();
if (missing) console.warn(missing);

const RECORDS = 120;

/** Replaces the editor's text (CodeMirror: a contenteditable with the accessible name "SQL editor"). */
async function typeSql(page: Page, sql: string) {
  const editor = page.getByRole('textbox', { name: 'SQL editor' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(sql);
}

/** The text of every data cell of the results grid, row by row. */
async function gridRows(page: Page): Promise<string[][]> {
  const rows = page.getByRole('grid', { name: 'Results' }).getByRole('row').filter({ has: page.getByRole('gridcell') });
  const out: string[][] = [];
  for (const row of await rows.all()) out.push(await row.getByRole('gridcell').allInnerTexts());
  return out;
}

describe.skipIf(missing !== null)('console Search in Chromium', () => {
  let stack: ConsoleStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startConsoleStack();
    stack.fluxcap(['produce', '--stream', 'orders', '--count', String(RECORDS)]);
    browser = await launchBrowser();
    // archived, so the catalog has the stream and its inferred schema (completion)
    await waitForArchived(stack, 'orders', RECORDS);
    await waitFor('the schema of orders', async () => (await fetch(`${stack.env.FLUX_CATALOG_URL}/v1/streams/orders/schema`, { headers: { authorization: `Bearer ${stack.token}` } })).ok);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 90_000);

  it('is served by the gateway at / for every client route, while API paths keep priority', async () => {
    const html = { accept: 'text/html' };
    for (const path of ['/', '/search', '/streams/orders', '/replays/new']) {
      const res = await fetch(`${stack.consoleUrl}${path}`, { headers: html });
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('<div id="root"></div>');
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'");
    }
    const api = await fetch(`${stack.consoleUrl}/v1/nothing-here`, { headers: html });
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    const docs = await fetch(`${stack.consoleUrl}/docs-json`);
    expect(((await docs.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    const config = await fetch(`${stack.consoleUrl}/console-config.json`);
    expect(await config.json()).toEqual({ queryUrl: '', catalogUrl: stack.env.FLUX_CATALOG_URL, replayUrl: stack.env.FLUX_REPLAY_URL, archiverUrl: stack.env.FLUX_ARCHIVER_URL });
    expect(stack.env.FLUX_CONSOLE_URL).toBe(stack.consoleUrl);
  });

  it('signs in with the token box, refusing a wrong token with the API message', async () => {
    const page = await (await newContext(browser)).newPage();
    await page.goto(`${stack.consoleUrl}/search`);
    await page.getByLabel('API token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('unknown bearer token').count()).toBe(1);
    await signInWithTokenBox(page, stack.token);
    await page.getByRole('heading', { name: 'Search' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    await page.context().close();
  });

  it('takes the token from a sign-in link and removes it from the address bar', async () => {
    const page = await openSignedIn(browser, stack, { path: '/search' });
    expect(page.url()).toBe(`${stack.consoleUrl}/search`);
    expect(await page.evaluate(() => globalThis.sessionStorage.getItem('flux.token'))).toBe(stack.token);
    await page.context().close();
  });

  it('runs a query with Mod-Enter and shows its rows in the grid, the SQL in a shareable URL', async () => {
    const page = await openSignedIn(browser, stack);
    await typeSql(page, `SELECT count(*) AS n FROM "orders"`);
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.getByRole('grid', { name: 'Results' }).waitFor();
    expect(await gridRows(page)).toEqual([[String(RECORDS)]]);
    expect(new URL(page.url()).searchParams.get('sql')).toBe(`SELECT count(*) AS n FROM "orders"`);

    await typeSql(page, `SELECT partition_key, payload->>'type' AS type FROM "orders" ORDER BY shard_id, sequence_number LIMIT 7`);
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(async () => (await gridRows(page)).length).toBe(7);
    // the editor keeps the SQL that ran (not the previous query's from the URL)
    expect(await page.getByRole('textbox', { name: 'SQL editor' }).innerText()).toBe(`SELECT partition_key, payload->>'type' AS type FROM "orders" ORDER BY shard_id, sequence_number LIMIT 7`);
    for (const [key, type] of await gridRows(page)) {
      expect(key).toMatch(/^customer-\d+$/);
      expect(type).toMatch(/^order\.(created|paid|shipped|cancelled)$/);
    }
    // the link alone (a new tab) shows the same query and its rows
    const shared = await (await newContext(browser)).newPage();
    await shared.goto(`${page.url()}#token=${stack.token}`);
    await shared.getByRole('grid', { name: 'Results' }).waitFor();
    expect(await gridRows(shared)).toEqual(await gridRows(page));
    await shared.context().close();
    await page.context().close();
  });

  it("opens a record's payload as JSON with its exact sequence number, and its raw bytes", async () => {
    const page = await openSignedIn(browser, stack);
    await typeSql(page, `SELECT * FROM "orders" ORDER BY sequence_number DESC LIMIT 5`);
    await page.keyboard.press('ControlOrMeta+Enter');
    const firstRow = page.getByRole('grid', { name: 'Results' }).getByRole('row').filter({ has: page.getByRole('gridcell') }).first();
    await firstRow.waitFor();
    const headers = await page.getByRole('columnheader').allInnerTexts();
    const cells = await firstRow.getByRole('gridcell').allInnerTexts();
    const sequence = cells[headers.indexOf('sequence_number')];
    expect(sequence).toMatch(/^\d{50,}$/);
    await firstRow.click();

    const drawer = page.getByRole('dialog', { name: 'Record' });
    await drawer.waitFor();
    expect(await drawer.getByRole('table', { name: 'Record metadata' }).innerText()).toContain(sequence);
    const json = JSON.parse(await drawer.getByLabel('Record JSON').innerText()) as Record<string, unknown>;
    expect(json).toMatchObject({ id: expect.stringMatching(/^evt-\d+$/), customer: expect.stringMatching(/^customer-\d+$/), type: expect.any(String) });

    await drawer.getByRole('tab', { name: /Raw bytes/ }).click();
    const utf8 = await drawer.getByLabel('Raw bytes', { exact: true }).innerText();
    expect(JSON.parse(utf8)).toEqual(json);
    await drawer.getByRole('radiogroup', { name: 'Byte encoding' }).getByText('Hex', { exact: true }).click();
    expect(await drawer.getByLabel('Raw bytes', { exact: true }).innerText()).toMatch(/^00000000 {2}7b 22/);
    await page.context().close();
  });

  it('completes stream tables and JSON paths from the catalog', async () => {
    const page = await openSignedIn(browser, stack);
    await typeSql(page, 'SELECT * FROM ord');
    const options = page.getByRole('listbox').getByRole('option');
    await expect.poll(() => options.allInnerTexts()).toContainEqual(expect.stringContaining('orders'));
    await page.keyboard.press('Escape');

    await typeSql(page, 'SELECT payload');
    await page.keyboard.press('Control+Space');
    await expect.poll(() => options.allInnerTexts()).toEqual(expect.arrayContaining([expect.stringContaining(`payload->>'customer'`), expect.stringContaining(`payload->>'amount'`)]));
    await options.filter({ hasText: `payload->>'customer'` }).first().click();
    await expect.poll(() => page.getByRole('textbox', { name: 'SQL editor' }).innerText()).toBe(`SELECT payload->>'customer'`);
    await page.context().close();
  });

  it('cancels a running query with Esc', async () => {
    const page = await openSignedIn(browser, stack);
    // a cross join of five copies of the stream: far more work than the test waits for
    await typeSql(page, `SELECT count(*) AS n FROM "orders" a, "orders" b, "orders" c, "orders" d, "orders" e`);
    await page.keyboard.press('ControlOrMeta+Enter');
    const cancel = page.getByRole('button', { name: 'Cancel' });
    await expect.poll(() => cancel.isEnabled()).toBe(true);
    await page.getByRole('textbox', { name: 'SQL editor' }).press('Escape');
    await page.getByText('Query cancelled').waitFor();
    expect(await page.getByRole('status', { name: 'Query status' }).innerText()).toMatch(/cancelled/i);
    const id = new URL(page.url()).searchParams.get('id') as string;
    const res = await fetch(`${stack.consoleUrl}/v1/queries/${id}`, { headers: { authorization: `Bearer ${stack.token}` } });
    expect(((await res.json()) as { state: string }).state).toBe('cancelled');
    await page.context().close();
  });

  it("shows the API's own message next to the editor for bad SQL", async () => {
    const sql = `SELECT * FROM "orders" WHERE`;
    const res = await fetch(`${stack.consoleUrl}/v1/queries`, { method: 'POST', headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { code: string; detail: string };

    const page = await openSignedIn(browser, stack);
    await typeSql(page, sql);
    await page.getByRole('button', { name: 'Run' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The query failed' });
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain(problem.detail.split('\n')[0]);
    expect(text).toContain(problem.code);
    expect(await page.getByRole('grid', { name: 'Results' }).count()).toBe(0);
    await page.context().close();
  });

  it('downloads the whole result as CSV and reloads a query from the history', async () => {
    const page = await openSignedIn(browser, stack);
    const sql = `SELECT partition_key FROM "orders" ORDER BY partition_key LIMIT 3`;
    await typeSql(page, sql);
    await page.keyboard.press('ControlOrMeta+Enter');
    await page.getByRole('grid', { name: 'Results' }).waitFor();
    const keys = (await gridRows(page)).map(([k]) => k);

    await page.getByRole('button', { name: 'Download' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    expect(readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/)).toEqual(['partition_key', ...keys]);

    await typeSql(page, 'SELECT 1');
    await page.getByRole('button', { name: 'History' }).click();
    const history = page.getByRole('dialog', { name: 'Recent queries' });
    await history.getByRole('button', { name: `Load query ${sql}` }).first().click();
    await expect.poll(() => page.getByRole('textbox', { name: 'SQL editor' }).innerText()).toBe(sql);
    await expect.poll(async () => (await gridRows(page)).map(([k]) => k)).toEqual(keys);
    await page.context().close();
  });

  it('switches between light and dark', async () => {
    const page = await openSignedIn(browser, stack, { colorScheme: 'light' });
    const scheme = () => page.locator('html').getAttribute('data-mantine-color-scheme');
    expect(await scheme()).toBe('light');
    await page.getByRole('radiogroup', { name: 'Colour scheme' }).getByText('Dark', { exact: true }).click();
    expect(await scheme()).toBe('dark');
    await page.getByRole('radiogroup', { name: 'Colour scheme' }).getByText('Auto', { exact: true }).click();
    expect(await scheme()).toBe('light');
    await page.context().close();
  });
});
