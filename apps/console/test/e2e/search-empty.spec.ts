import type { Browser } from 'playwright-core';
import { chromiumMissing, launchBrowser, openSignedIn, screenshotOpenPages, startConsoleStack, type ConsoleStack } from '../support/browser-harness';

const missing = chromiumMissing();
if (missing) console.warn(missing);

describe.skipIf(missing !== null)('console Search on a system with nothing archived (gateway and catalog only)', () => {
  let stack: ConsoleStack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startConsoleStack({ args: ['--services', 'query-gateway,catalog'] });
    browser = await launchBrowser();
  }, 240_000);

  beforeEach(({ task, onTestFailed }) => onTestFailed(async () => void (await screenshotOpenPages(task.name))));

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  }, 90_000);

  it('says how to start archiving when there are no streams, with no banner while the gateway and catalog answer', async () => {
    const page = await openSignedIn(browser, stack);
    await page.getByText('No streams are archived yet').waitFor();
    expect(await page.getByText('npx fluxcap produce --stream orders').count()).toBe(1);
    // the console was told where the catalog is, and it answers: no banner
    expect(await page.getByText(/is not reachable|is not configured/).count()).toBe(0);
    await page.context().close();
  });

  it('answers an unknown stream with the API message, and an empty result with what was scanned', async () => {
    const page = await openSignedIn(browser, stack);
    const editor = page.getByRole('textbox', { name: 'SQL editor' });
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('SELECT * FROM "orders" LIMIT 5');
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByText('No rows', { exact: true }).waitFor();
    expect(await page.getByText(/The query matched nothing \(0 archive objects and 0 live records read\)/).count()).toBe(1);
    expect(await page.getByRole('grid', { name: 'Results' }).count()).toBe(0);

    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('SELECT * FROM "no-such-stream"');
    await page.getByRole('button', { name: 'Run' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The query failed' });
    await alert.waitFor();
    expect(await alert.innerText()).toContain('no-such-stream');
    await page.context().close();
  });
});
