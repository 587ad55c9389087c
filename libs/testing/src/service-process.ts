import { freePort, startService, type RunningService } from '@flux-capacitor/local-stack';

export interface ServiceProcess extends RunningService {
  /** Every line the process printed so far (JSON log lines), one per line. */
  logs(): string;
}

/**
 * Runs a service as a real process (local-stack's startService, as `fluxcap dev` does) on a free port with exactly
 * `env` (plus PATH), and resolves once its /health answers 200. `main`: a built entry (`dist/apps/<service>/main.js`)
 * to run instead of the sources.
 */
export async function startServiceProcess(service: string, env: Record<string, string>, timeoutMs = 60_000, main?: string): Promise<ServiceProcess> {
  const lines: string[] = [];
  const options = { env: { PATH: process.env.PATH, ...env }, port: await freePort(), onLine: (line: string) => void lines.push(line), timeoutMs, main };
  try {
    const running = await startService(service, options);
    return { ...running, logs: () => lines.join('\n') };
  } catch (err) {
    throw new Error(`${(err as Error).message}:\n${lines.join('\n')}`, { cause: err });
  }
}
