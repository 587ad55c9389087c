// The console's browser-test harness: a real `fluxcap dev --random-ports` stack, Debian's chromium driven by
// playwright-core (no browser download), and sign-in helpers. Used by apps/console/test/e2e/*.spec.ts and by
// `npm run screenshots`; it imports nothing from vitest, so scripts can use it too.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(WORKSPACE_ROOT, 'apps/cli/bin/fluxcap.js');

/** Debian's chromium (apt-get install chromium; `.ci/run` installs it), or FLUX_CHROMIUM. */
export const CHROMIUM_PATH = process.env.FLUX_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set FLUX_CHROMIUM)`;
}

export interface ConsoleStack {
  /** the gateway that serves the console, e.g. http://127.0.0.1:41499 */
  consoleUrl: string;
  /** an admin+query+replay token */
  token: string;
  /** everything `fluxcap dev` wrote to dev.env (FLUX_*_URL, FLUX_API_TOKEN, the emulators' settings) */
  env: Record<string, string>;
  /** fluxcap's output so far (for failure messages) */
  output: () => string;
  /** runs `fluxcap <args>` against this stack; throws with its output when it exits non-zero */
  fluxcap: (args: string[], input?: string) => string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  /** Postgres server to use; unset: fluxcap's embedded Postgres in a fresh data dir (DATABASE_URL is ignored) */
  databaseUrl?: string;
  /** extra `fluxcap dev` arguments (h-cli's `--demo`/`--no-demo`, `--services`) */
  args?: string[];
  /** extra environment for fluxcap dev and its services */
  env?: Record<string, string>;
  timeoutMs?: number;
}

function parseEnvFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^export ([A-Z0-9_]+)='(.*)'$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/'\\''/g, "'");
  }
  return env;
}

/** Starts `fluxcap dev --random-ports` in its own data dir and waits for its `console ready at <url>/#token=<token>` line. */
export async function startConsoleStack(options: StartOptions = {}): Promise<ConsoleStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flux-console-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // Without a server of its own, fluxcap runs an embedded Postgres in the data dir: every stack starts empty (a
  // shared server's `flux` database would carry catalog rows of streams an earlier emulator run had).
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  // No demo producer unless asked for: tests count the records they wrote themselves.
  const demo = options.args?.includes('--demo') ? [] : ['--no-demo'];
  const args = (options.args ?? []).filter((a) => a !== '--demo');
  const child: ChildProcess = spawn(process.execPath, [FLUXCAP, 'dev', '--random-ports', '--data-dir', dataDir, ...demo, ...args], {
    cwd: WORKSPACE_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-(child.pid as number), 'SIGINT');
      const killer = setTimeout(() => child.exitCode === null && process.kill(-(child.pid as number), 'SIGKILL'), 45_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const timeoutMs = options.timeoutMs ?? 120_000;
  const ready = await new Promise<RegExpExecArray>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`fluxcap dev did not print "console ready" within ${timeoutMs} ms:\n${output.slice(-3000)}`)), timeoutMs);
    const check = () => {
      const m = /console ready at (http:\/\/[^\s/]+)\/#token=([0-9a-f]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolveReady(m);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fluxcap dev exited (${code}) before the console was ready:\n${output.slice(-3000)}`));
    });
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });

  const devEnv = parseEnvFile(join(dataDir, 'dev.env'));
  const fluxcap = (args: string[], input?: string) => {
    const r = spawnSync(process.execPath, [FLUXCAP, ...args], { cwd: WORKSPACE_ROOT, env: { ...process.env, ...options.env, ...devEnv }, input, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`fluxcap ${args.join(' ')} exited ${r.status}:\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  return { consoleUrl: ready[1], token: ready[2], env: devEnv, output: () => output, fluxcap, stop };
}

/** Debian's chromium, headless, through playwright-core. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

export interface OpenOptions {
  /** a console path such as /search?sql=... (default /search) */
  path?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
}

/** Pages of contexts the harness opened and that are not closed yet: what a failed test leaves on screen. */
const openPages = new Set<Page>();

/** Where failure screenshots go (gitignored). */
export const ARTIFACTS_DIR = join(WORKSPACE_ROOT, 'dist/test-artifacts/console');

/**
 * Saves a screenshot of every page still open (a failed test never reached its close) as
 * dist/test-artifacts/console/<name>-<n>.png, and returns the paths: call it from vitest's `onTestFailed`.
 */
export async function screenshotOpenPages(name: string): Promise<string[]> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const safe = name.replace(/[^\w.-]+/g, '-').slice(0, 80);
  const paths: string[] = [];
  let n = 0;
  for (const page of openPages) {
    const path = join(ARTIFACTS_DIR, `${safe}-${++n}.png`);
    if (await page.screenshot({ path }).then(() => true, () => false)) paths.push(path);
  }
  return paths;
}

/** A fresh browser context (its own sessionStorage) on a laptop-sized viewport, reduced motion (no drawer animations). */
export async function newContext(browser: Browser, options: OpenOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 }, colorScheme: options.colorScheme ?? 'light', acceptDownloads: true, reducedMotion: 'reduce' });
  context.on('page', (page) => {
    openPages.add(page);
    page.once('close', () => openPages.delete(page));
  });
  return context;
}

/**
 * Opens the console signed in, through the sign-in link `fluxcap dev` prints (`<url><path>#token=...`), and waits for
 * the main navigation: the page is ready for role/text locators.
 */
export async function openSignedIn(browser: Browser, stack: ConsoleStack, options: OpenOptions = {}): Promise<Page> {
  const page = await (await newContext(browser, options)).newPage();
  await page.goto(`${stack.consoleUrl}${options.path ?? '/search'}#token=${stack.token}`);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** Signs in through the token box of the sign-in page (the page must show it). */
export async function signInWithTokenBox(page: Page, token: string): Promise<void> {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Polls until `check` resolves truthy (the stack is eventually consistent: archiving, catalog updates). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits until the catalog lists `stream` with at least `records` archived records (the archiver flushes every 10 s in dev). */
export function waitForArchived(stack: ConsoleStack, stream: string, records: number, timeoutMs = 90_000): Promise<true> {
  return waitFor(`${records} archived records of ${stream}`, async () => {
    const res = await fetch(`${stack.env.FLUX_CATALOG_URL}/v1/streams`, { headers: { authorization: `Bearer ${stack.token}` } });
    const body = (await res.json()) as { streams: { name: string; recordCount: number }[] };
    return (body.streams.find((s) => s.name === stream)?.recordCount ?? 0) >= records;
  }, timeoutMs);
}
