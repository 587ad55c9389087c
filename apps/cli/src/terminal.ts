/**
 * What the CLI may do with a terminal: colours (NO_COLOR / FORCE_COLOR, https://no-color.org) and progress on stderr,
 * which stays out of stdout so results remain pipeable.
 */

type Stream = Pick<NodeJS.WriteStream, 'isTTY'>;

/** FORCE_COLOR (not 0/false) forces colours on, NO_COLOR (any non-empty value) off; otherwise only on a terminal. */
export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  return Boolean(stream.isTTY);
}

/** Whether stderr gets live progress (a redrawn line or bar) rather than occasional plain log lines. */
export const interactiveStderr = () => Boolean(process.stderr.isTTY);

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Without a terminal, a line at most this often, and none for work shorter than this: logs stay short. */
const LINE_EVERY_MS = 5_000;

export interface Activity {
  /** What is happening now, e.g. `running: 1,024 rows scanned`. */
  update(detail: string): void;
  /** Clears the live line (a terminal) or writes the last line (logs, only when lines were written). */
  stop(final?: string): void;
}

/**
 * Progress of something without a known end (a query, a rebuild): on a terminal a spinner line with the elapsed time
 * redrawn on stderr; otherwise a plain `label: detail (12s)` line every few seconds once it has taken that long.
 */
export function startActivity(label: string, options: { interactive?: boolean; write?: (s: string) => void; now?: () => number } = {}): Activity {
  const interactive = options.interactive ?? interactiveStderr();
  const write = options.write ?? ((s: string) => void process.stderr.write(s));
  const now = options.now ?? Date.now;
  const started = now();
  let detail = '';
  let frame = 0;
  let lastLine = started;
  let wroteLines = false;
  const elapsed = () => `${Math.round((now() - started) / 1000)}s`;
  const line = () => `${label}${detail ? `: ${detail}` : ''} (${elapsed()})`;
  let timer: NodeJS.Timeout | undefined;
  if (interactive) {
    const draw = () => write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${line()}`);
    timer = setInterval(draw, 100);
    timer.unref();
    draw();
  }
  return {
    update(next: string) {
      detail = next;
      if (interactive) return;
      if (now() - lastLine >= LINE_EVERY_MS) {
        lastLine = now();
        wroteLines = true;
        write(`${line()}\n`);
      }
    },
    stop(final?: string) {
      if (timer) clearInterval(timer);
      if (interactive) write('\r\x1b[2K');
      else if (wroteLines && final) write(`${label}: ${final} (${elapsed()})\n`);
    },
  };
}
