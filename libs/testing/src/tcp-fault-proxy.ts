import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * - `pass`: bytes flow both ways.
 * - `refuse`: new connections are reset at once and existing ones destroyed (a stopped dependency).
 * - `hang`: connections are accepted but no byte moves either way, existing ones included (a network partition).
 *   What was held flows on when the mode goes back to `pass`, as TCP does when a partition heals in time.
 */
export type FaultMode = 'pass' | 'refuse' | 'hang';

export interface TcpFaultProxy {
  /** `127.0.0.1:<port>` */
  address: string;
  port: number;
  /** `http://127.0.0.1:<port>`, for HTTP dependencies (AWS endpoints). */
  url: string;
  mode(): FaultMode;
  setMode(mode: FaultMode): void;
  /** Connections currently open through the proxy. */
  openConnections(): number;
  close(): Promise<void>;
}

/** One client connection and the connection to the target it is paired with. */
class Link {
  private upstream?: Socket;
  /** bytes read from a side while the link was hung, written to the other side on resume */
  private readonly held = { up: [] as Buffer[], down: [] as Buffer[] };
  private hung = false;
  closed = false;

  constructor(
    private readonly client: Socket,
    private readonly target: { host: string; port: number },
    private readonly onClose: () => void,
  ) {
    client.on('error', () => this.destroy());
    client.on('close', () => this.destroy());
    client.on('data', (chunk: Buffer) => this.forward('up', chunk));
  }

  hang(): void {
    this.hung = true;
    this.client.pause();
    this.upstream?.pause();
  }

  pass(): void {
    this.hung = false;
    const upstream = this.upstream ?? this.connectUpstream();
    for (const chunk of this.held.up.splice(0)) upstream.write(chunk);
    for (const chunk of this.held.down.splice(0)) this.client.write(chunk);
    this.client.resume();
    upstream.resume();
  }

  /** Both sockets go at once; the client sees a reset rather than a clean end, as from a dead peer. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.client.destroyed) this.client.resetAndDestroy();
    this.upstream?.destroy();
    this.onClose();
  }

  private connectUpstream(): Socket {
    const upstream = connect(this.target);
    this.upstream = upstream;
    upstream.on('error', () => this.destroy());
    upstream.on('close', () => this.destroy());
    upstream.on('data', (chunk: Buffer) => this.forward('down', chunk));
    return upstream;
  }

  private forward(direction: 'up' | 'down', chunk: Buffer): void {
    if (this.hung) {
      this.held[direction].push(chunk);
      return;
    }
    const upstream = this.upstream ?? this.connectUpstream();
    const [from, to] = direction === 'up' ? [this.client, upstream] : [upstream, this.client];
    // Backpressure: stop reading until the other side has taken what it was given.
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => {
        if (!this.hung) from.resume();
      });
    }
  }
}

/**
 * A TCP proxy on 127.0.0.1 in front of a dependency (Postgres, an AWS emulator) whose failure mode a test switches at
 * runtime: `pass`, `refuse` or `hang` (see FaultMode). It knows nothing of the protocol it carries.
 */
export async function startTcpFaultProxy(
  target: { host: string; port: number },
  options: { mode?: FaultMode; port?: number } = {},
): Promise<TcpFaultProxy> {
  let mode: FaultMode = options.mode ?? 'pass';
  const links = new Set<Link>();
  const server = createServer((client) => {
    if (mode === 'refuse') {
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    const link = new Link(client, target, () => links.delete(link));
    links.add(link);
    if (mode === 'hang') link.hang();
    else link.pass();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    port,
    url: `http://127.0.0.1:${port}`,
    mode: () => mode,
    setMode: (next) => {
      mode = next;
      for (const link of [...links]) {
        if (next === 'refuse') link.destroy();
        else if (next === 'hang') link.hang();
        else link.pass();
      }
    },
    openConnections: () => links.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const link of [...links]) link.destroy();
      }),
  };
}
