import { openSignedIn } from '../support/browser-harness';
import type { ShotContext } from './run';

/**
 * Replays: a compacted replay's dry-run plan (by order, the demo's order.deleted events left out), then the same replay started at a slow fixed rate and caught while it
 * runs (progress, rate, ETA), in both schemes.
 */
export default async function shoot({ stack, browser, save }: ShotContext): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await openSignedIn(browser, stack, { path: '/replays/new?source=orders', colorScheme: scheme, viewport: { width: 1440, height: 1500 } });
    await page.getByRole('combobox', { name: 'Target stream' }).fill('orders-replay');
    await page.getByRole('switch', { name: /Key compaction/ }).check();
    await page.getByRole('textbox', { name: 'Compaction key' }).fill("payload->>'order_id'");
    await page.getByRole('textbox', { name: 'Delete condition' }).fill("(payload->>'type') = 'order.deleted'");
    await page.getByRole('radiogroup', { name: 'Deletes' }).getByText('Leave them out', { exact: true }).click();
    await page.getByText('Fixed rate', { exact: true }).click();
    // slow enough that the replay is still running for the next two pictures
    await page.getByRole('textbox', { name: 'Records per second' }).fill('1');
    await page.getByRole('button', { name: 'Preview plan (dry run)' }).click();
    await page.getByText('Records per source shard').waitFor({ timeout: 60_000 });
    await page.getByRole('heading', { name: '3. Plan' }).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await save(page, `console-replay-plan-${scheme}`);

    await page.getByRole('button', { name: 'Start replay…' }).click();
    await page.getByRole('dialog', { name: 'Start this replay?' }).getByRole('button', { name: 'Start replay' }).click();
    await page.waitForURL(/\/replays\/[0-9a-f-]{36}$/);
    await page.getByText(/\d+ records\/s/).first().waitFor({ timeout: 60_000 });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.waitForTimeout(2500);
    await save(page, `console-replay-running-${scheme}`);

    // the list with this replay still moving, then stop it so the next scheme's plan is taken over a quiet target
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Replays' }).click();
    await page.getByRole('table', { name: 'replays' }).waitFor();
    await page.waitForTimeout(1500);
    await save(page, `console-replays-${scheme}`);
    // (a replay that already finished has nothing to cancel: a picture script, not a test, so it need not insist)
    const cancel = page.getByRole('button', { name: /^Cancel replay/ }).first();
    if (await cancel.isVisible()) {
      await cancel.click();
      await page.getByRole('dialog', { name: 'Cancel this replay?' }).getByRole('button', { name: 'Cancel replay' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    }
    await page.context().close();
  }
}
