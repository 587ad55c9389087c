// `npm run screenshots`: the README's pictures, taken from the real console. Starts `fluxcap dev` on random ports,
// seeds the demo stream (archived and live records), and runs every `*.shots.ts` module in this folder; each saves
// PNGs into docs/images/ through `save`. Needs Chromium (/usr/bin/chromium or FLUX_CHROMIUM).

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromiumMissing, launchBrowser, startConsoleStack, waitForArchived, WORKSPACE_ROOT, type ConsoleStack } from '../support/browser-harness';

export const IMAGES_DIR = join(WORKSPACE_ROOT, 'docs/images');

export interface ShotContext {
  stack: ConsoleStack;
  browser: Browser;
  /** saves the page (its viewport) as docs/images/<name>.png */
  save: (page: Page, name: string) => Promise<void>;
}

async function main() {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing.replace('browser tests skipped', 'cannot take screenshots'));
  mkdirSync(IMAGES_DIR, { recursive: true });
  // With the demo producer: order events with order ids, updates and deletes give the replay pictures something to compact.
  const stack = await startConsoleStack({ args: ['--demo'] });
  let browser: Browser | undefined;
  try {
    process.stdout.write(`console at ${stack.consoleUrl}; seeding the orders stream\n`);
    stack.fluxcap(['produce', '--stream', 'orders', '--count', '400']);
    await waitForArchived(stack, 'orders', 400);
    // a few more that are still only in Kinesis, so results show both sources
    stack.fluxcap(['produce', '--stream', 'orders', '--count', '40']);
    browser = await launchBrowser();
    const ctx: ShotContext = {
      stack,
      browser,
      save: async (page, name) => {
        await page.screenshot({ path: join(IMAGES_DIR, `${name}.png`) });
        process.stdout.write(`saved docs/images/${name}.png\n`);
      },
    };
    for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.shots.ts')).sort()) {
      const shots = (await import(join(__dirname, file))) as { default: (ctx: ShotContext) => Promise<void> };
      await shots.default(ctx);
    }
  } finally {
    await browser?.close();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`screenshots: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
