import { randomInt } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { GSSENC_REQUEST, MAX_MESSAGE_BYTES, MAX_PASSWORD_BYTES, MAX_STARTUP_BYTES, MessageReader, msg, parseStartup, PgError, PgProtocolError, PROTOCOL_3_0, SSL_REQUEST } from './pg-messages';
import { PgSession, REPORTED_SETTINGS, type PgBackend } from './pg-session';

export interface PgServerOptions {
  port: number;
  host: string;
  /** PEM certificate and key: clients may then upgrade to TLS (sslmode=require) */
  tls?: { cert: string | Buffer; key: string | Buffer };
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** largest message after authentication (default MAX_MESSAGE_BYTES, 1 MiB) */
  maxMessageBytes?: number;
  /** time from connect to authenticated, after which the connection is closed (default 10 s) */
  authTimeoutMs?: number;
  /** connections at once, in total and from one address (defaults 200 and 32): more get 53300 */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /** bind beyond loopback without TLS (FLUX_PG_ALLOW_PLAINTEXT): the token then crosses the network in clear text */
  allowPlaintext?: boolean;
}

/** Whether a bind address only takes connections from this host. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
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

  /** the largest message the protocol state accepts now; more unprocessed input than this pauses the socket */
  limit = MAX_STARTUP_BYTES;

  private readonly onData = (chunk: Buffer) => {
    this.reader.push(chunk);
    // a client that sends faster than its messages are handled waits (TCP backpressure), instead of filling memory
    if (this.reader.buffered > this.limit + 5) this.socket.pause();
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

  /** Bytes received and not yet read as messages. */
  get buffered(): number {
    return this.reader.buffered;
  }

  async next(startup: boolean): Promise<{ type: string; body: Buffer } | undefined> {
    for (;;) {
      const m = this.reader.next(startup, this.limit);
      if (this.reader.buffered <= this.limit + 5 && this.socket.isPaused()) this.socket.resume();
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
  private readonly perAddress = new Map<string, number>();
  private readonly secure?: SecureContext;

  constructor(
    private readonly backend: PgBackend,
    private readonly options: PgServerOptions,
  ) {
    if (options.tls) this.secure = createSecureContext({ cert: options.tls.cert, key: options.tls.key });
  }

  /** Listens; resolves with the bound port (0 picks a free one). */
  async listen(): Promise<number> {
    if (!this.secure && !this.options.allowPlaintext && !isLoopbackHost(this.options.host)) {
      throw new Error(
        `the PostgreSQL endpoint would take API tokens in clear text on ${this.options.host}: configure FLUX_PG_TLS_CERT and FLUX_PG_TLS_KEY, bind FLUX_PG_HOST to 127.0.0.1, or set FLUX_PG_ALLOW_PLAINTEXT=true`,
      );
    }
    this.backend.catalog.warmUp();
    const server = (this.server = createServer((socket) => {
      const address = socket.remoteAddress ?? '';
      const fromAddress = this.perAddress.get(address) ?? 0;
      if (this.sockets.size >= (this.options.maxConnections ?? 200) || fromAddress >= (this.options.maxConnectionsPerAddress ?? 32)) {
        socket.on('error', () => undefined);
        // destroyed once the error is out: a client that keeps its side open holds nothing
        socket.end(msg.error(new PgError('53300', 'sorry, too many clients already', { fatal: true }).fields()), () => socket.destroy());
        return;
      }
      this.sockets.add(socket);
      this.perAddress.set(address, fromAddress + 1);
      socket.on('close', () => {
        this.sockets.delete(socket);
        const n = (this.perAddress.get(address) ?? 1) - 1;
        if (n > 0) this.perAddress.set(address, n);
        else this.perAddress.delete(address);
      });
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
    // a connection not authenticated in time is closed (it holds a slot of the connection caps); a deadline, not an
    // idle timeout, so a client dribbling a byte at a time cannot hold it either
    const authDeadline = setTimeout(() => plain.destroy(), this.options.authTimeoutMs ?? 10_000);
    plain.once('close', () => clearTimeout(authDeadline));
    let socket: Socket = plain;
    const stream = new MessageStream(plain);
    let startup;
    for (;;) {
      let first;
      try {
        first = await stream.next(true);
      } catch (err) {
        if (!(err instanceof PgProtocolError)) throw err;
        socket.end(msg.error(new PgError('08P01', err.message, { fatal: true }).fields()));
        return;
      }
      if (!first) return;
      startup = parseStartup(first.body);
      if (startup.code === SSL_REQUEST && this.secure && socket === plain) {
        if (stream.buffered > 0) {
          // bytes sent before the handshake would be read as if they had come encrypted (CVE-2021-23214)
          socket.end(msg.error(new PgError('08P01', 'received unencrypted data after SSL request', { fatal: true }).fields()));
          return;
        }
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
    stream.limit = MAX_PASSWORD_BYTES;
    let password;
    try {
      password = await stream.next(false);
    } catch (err) {
      if (!(err instanceof PgProtocolError)) throw err;
      await write(msg.error(new PgError('08P01', err.message, { fatal: true }).fields()));
      socket.end();
      return;
    }
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
    clearTimeout(authDeadline);
    stream.limit = this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
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
