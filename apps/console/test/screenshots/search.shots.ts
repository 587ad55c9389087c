import type { Page } from 'playwright-core';
import { openSignedIn } from '../support/browser-harness';
import type { ShotContext } from './run';

const SQL = `SELECT arrival_time, partition_key AS customer, payload->>'type' AS type,
       (payload->>'amount')::DOUBLE AS amount, source, payload
FROM "orders"
WHERE (payload->>'type') = 'order.paid'
ORDER BY arrival_time DESC
LIMIT 200`;

async function runQuery(page: Page) {
  await page.getByRole('grid', { name: 'Results' }).getByRole('gridcell').first().waitFor({ timeout: 60_000 });
  // let the editor's completion schema and fonts settle
  await page.waitForTimeout(500);
}

/** Search: a JSON-path query and its rows (light), the same with a record open (dark). */
export default async function shoot({ stack, browser, save }: ShotContext): Promise<void> {
  const path = `/search?${new URLSearchParams({ sql: SQL })}`;
  for (const scheme of ['light', 'dark'] as const) {
    const page = await openSignedIn(browser, stack, { path, colorScheme: scheme, viewport: { width: 1440, height: 900 } });
    await page.getByRole('button', { name: 'Run' }).click();
    await runQuery(page);
    if (scheme === 'dark') {
      await page.getByRole('grid', { name: 'Results' }).getByRole('row').filter({ has: page.getByRole('gridcell') }).nth(1).click();
      await page.getByRole('dialog', { name: 'Record' }).waitFor();
      await page.waitForTimeout(400);
    }
    await save(page, `console-search-${scheme}`);
    await page.context().close();
  }
}
