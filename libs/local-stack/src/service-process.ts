import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild } from './local-stack';

/** The repository root: services run from the source tree, under the SWC hook (or from a build, `main`). */
const WORKSPACE_ROOT = resolve(__dirname, '../../..');

export interface ServiceSpawnOptions {
  /** exactly the environment the service gets; PORT is added */
  env: Record<string, string | undefined>;
  port: number;
  /** every line the service prints on stdout or stderr */
  onLine?: (line: string) => void;
  /** run this compiled entry (`dist/apps/<service>/main.js`, as production does) instead of the sources */
  main?: string;
}

export interface RunningService {
  service: string;
  url: string;
  child: ChildProcess;
  /** SIGTERM (SIGKILL after `graceMs`), then the exit code once it has exited. */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Runs `apps/<service>/src/main.ts` as a process of its own, as `fluxcap dev` and the e2e tests do; does not wait for
 * it to be ready (see waitUntilHealthy, or startService for both).
 */
export function spawnService(service: string, options: ServiceSpawnOptions): RunningService {
  const args = options.main ? [options.main] : ['-r', '@swc-node/register', join(WORKSPACE_ROOT, 'apps', service, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: WORKSPACE_ROOT,
    env: { ...options.env, PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onLine = options.onLine;
  if (onLine) for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', onLine);
  return {
    service,
    url: `http://127.0.0.1:${options.port}`,
    child,
    stop: async (graceMs = 30_000) => {
      await stopChild(child, graceMs);
      return child.exitCode;
    },
  };
}

/** Resolves once the service's /health answers 200; fails when the process exits first or after `timeoutMs`. */
export async function waitUntilHealthy(service: RunningService, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { exitCode, signalCode } = service.child;
    if (exitCode !== null || signalCode !== null) throw new Error(`${service.service} exited (${signalCode ?? exitCode}) during start-up`);
    try {
      if ((await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.service} at ${service.url} was not healthy within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** spawnService, then waitUntilHealthy; kills the process when it does not become healthy. */
export async function startService(service: string, options: ServiceSpawnOptions & { timeoutMs?: number }): Promise<RunningService> {
  const running = spawnService(service, options);
  try {
    await waitUntilHealthy(running, options.timeoutMs);
  } catch (err) {
    running.child.kill('SIGKILL');
    throw err;
  }
  return running;
}
