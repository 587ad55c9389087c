import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { GSSENC_REQUEST, MessageReader, msg, parseStartup, PgError, PgProtocolError, PROTOCOL_3_0, SSL_REQUEST } from './pg-messages';
import { PgSession, REPORTED_SETTINGS, type PgBackend } from './pg-session';

export interface PgServerOptions {
  port: number;
  host: string;
  /** PEM certificate and key: clients may then upgrade to TLS (sslmode=require) */
  tls?: { cert: string | Buffer; key: string | Buffer };
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** Whether a peer address is this host (IPv4 127/8, ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.replace(/^::ffff:/i, '');
  return v4.startsWith('127.') || address === '::1';
}

/** Reads whole messages off a socket, one at a time, for code written as a sequence of awaits. */
class MessageStream {
  private readonly reader = new MessageReader();
  private wake?: () => void;
  private ended = false;
  private error?: Error;

  constructor(private socket: Socket) {
    this.attach(socket);
  }

  private readonly onData = (chunk: Buffer) => {
    this.reader.push(chunk);
    this.wake?.();
  };

  private readonly onClose = () => {
    this.ended = true;
    this.wake?.();
  };

  private readonly onError = (err: Error) => {
    this.error = err;
    this.onClose();
  };

  attach(socket: Socket): void {
    this.socket = socket;
    socket.on('data', this.onData).on('close', this.onClose).on('error', this.onError);
  }

  /** Stops reading the plain socket (TLS takes over its bytes); other listeners stay. */
  detach(): void {
    this.socket.off('data', this.onData).off('close', this.onClose).off('error', this.onError);
  }

  async next(startup: boolean): Promise<{ type: string; body: Buffer } | undefined> {
    for (;;) {
      const m = this.reader.next(startup);
      if (m) return m;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  get failed(): Error | undefined {
    return this.error;
  }
}

/**
 * The PostgreSQL wire-protocol listener: TLS upgrade (SSLRequest), start-up, cleartext-password authentication with
 * an API token, then a PgSession per connection; CancelRequests interrupt the session holding the key.
 */
export class PgServer {
  private server?: Server;
  private readonly sessions = new Map<number, { secret: number; session: PgSession }>();
  private readonly sockets = new Set<Socket>();
  private readonly secure?: SecureContext;

  constructor(
    private readonly backend: PgBackend,
    private readonly options: PgServerOptions,
  ) {
    if (options.tls) this.secure = createSecureContext({ cert: options.tls.cert, key: options.tls.key });
  }

  /** Listens; resolves with the bound port (0 picks a free one). */
  async listen(): Promise<number> {
    this.backend.catalog.warmUp();
    const server = (this.server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.serve(socket).catch((err: unknown) => {
        this.options.log?.('pg connection failed', { err });
        socket.destroy();
      });
    }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = server.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  async close(): Promise<void> {
    for (const { session } of this.sessions.values()) session.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.backend.catalog.close();
  }

  private async serve(plain: Socket): Promise<void> {
    plain.setNoDelay(true);
    let socket: Socket = plain;
    const stream = new MessageStream(plain);
    let startup;
    for (;;) {
      const first = await stream.next(true);
      if (!first) return;
      startup = parseStartup(first.body);
      if (startup.code === SSL_REQUEST && this.secure && socket === plain) {
        stream.detach();
        socket.write('S');
        const tls = new TLSSocket(plain, { isServer: true, secureContext: this.secure });
        stream.attach(tls);
        socket = tls;
        continue;
      }
      if (startup.code === SSL_REQUEST || startup.code === GSSENC_REQUEST) {
        socket.write('N');
        continue;
      }
      break;
    }
    if (startup.cancel) {
      // answered with nothing, as PostgreSQL does; the key must match the session's
      const entry = this.sessions.get(startup.cancel.pid);
      if (entry && entry.secret === startup.cancel.secret) entry.session.cancel();
      socket.end();
      return;
    }
    if (this.secure && socket === plain && !isLoopback(plain.remoteAddress)) {
      // the password is an API token: with a certificate configured, it never crosses a network in clear text
      socket.write(msg.error(new PgError('28000', 'connections from other hosts must use TLS (sslmode=require)', { fatal: true }).fields()));
      socket.end();
      return;
    }
    const write = (chunk: Buffer) =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        if (socket.write(chunk)) resolve();
        else socket.once('drain', resolve);
      });
    if (startup.code >> 16 !== 3) {
      await write(msg.error(new PgError('0A000', `unsupported frontend protocol ${startup.code >> 16}.${startup.code & 0xffff}`, { fatal: true }).fields()));
      socket.end();
      return;
    }
    const unsupported = Object.keys(startup.params).filter((k) => k.startsWith('_pq_.'));
    if (startup.code !== PROTOCOL_3_0 || unsupported.length > 0) await write(msg.negotiateProtocolVersion(0, unsupported));

    // the user name is free; the password is an API token
    await write(msg.authenticationCleartextPassword());
    const password = await stream.next(false);
    if (!password) return;
    const user = startup.params.user ?? '';
    const principal = password.type === 'p' ? await this.backend.authenticate(password.body.subarray(0, Math.max(0, password.body.length - 1)).toString('utf8')) : undefined;
    if (!principal) {
      this.options.log?.('pg authentication failed', { user });
      await write(msg.error(new PgError('28P01', `password authentication failed for user "${user}"`, { fatal: true, hint: 'the password is an API token with the query role' }).fields()));
      socket.end();
      return;
    }

    let pid: number;
    do pid = randomInt(1, 2 ** 31 - 1);
    while (this.sessions.has(pid));
    const secret = randomInt(0, 2 ** 31 - 1);
    const session = new PgSession(this.backend, principal, write, startup.params);
    this.sessions.set(pid, { secret, session });
    try {
      await write(
        Buffer.concat([
          msg.authenticationOk(),
          ...REPORTED_SETTINGS.map((name) => msg.parameterStatus(name, session.setting(name))),
          msg.backendKeyData(pid, secret),
          msg.readyForQuery('I'),
        ]),
      );
      // a client that goes away interrupts its statement
      socket.once('close', () => session.cancel());
      for (;;) {
        const m = await stream.next(false);
        if (!m) return;
        if (!(await session.handle(m.type, m.body))) return;
      }
    } catch (err) {
      if (err instanceof PgProtocolError) await write(msg.error(new PgError('08P01', err.message, { fatal: true }).fields()));
      else throw err;
    } finally {
      this.sessions.delete(pid);
      session.close();
      socket.end();
    }
  }
}
