import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP forwarder in front of a server (Postgres) that can be switched off: it then refuses every connection. */
export interface TcpSwitch {
  port: number;
  /** drops every open connection and refuses new ones (the port is closed) */
  off(): Promise<void>;
  /** accepts and forwards connections again, on the same port */
  on(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpSwitch(target: { host: string; port: number }): Promise<TcpSwitch> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const newServer = () =>
    createServer((client) => {
      const upstream = connect(target.port, target.host);
      track(client);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
  const listen = (s: Server, port: number) => new Promise<void>((resolve, reject) => s.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  let server: Server | undefined = newServer();
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  const off = async () => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    port,
    off,
    on: async () => {
      if (server) return;
      server = newServer();
      await listen(server, port);
    },
    close: off,
  };
}
