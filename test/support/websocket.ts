/**
 * WebSocket for tests on Node: the `ws` package as the global WebSocket where Node has none (20),
 * and a WebSocket-to-TCP relay of a test's own, as a browser needs to reach a broker that speaks
 * AMQP over TCP only (RabbitMQ 3.x): each WebSocket connection gets a TCP connection of its own to
 * the target, and bytes go both ways unchanged (cloudamqp's websocket-tcp-relay does the same).
 */

import type { AddressInfo } from 'node:net';
import { createConnection } from 'node:net';

/** What the relay uses of the `ws` package (a dev dependency without types of its own). */
interface Socket {
  send(bytes: Uint8Array): void;
  close(): void;
  terminate(): void;
  on(event: 'message', listener: (bytes: Uint8Array) => void): void;
  on(event: 'close' | 'error', listener: () => void): void;
}
interface Server {
  readonly clients: Set<Socket>;
  on(event: 'connection', listener: (socket: Socket) => void): void;
  once(event: 'listening' | 'error', listener: () => void): void;
  address(): AddressInfo | string | null;
  close(done: () => void): void;
}
type ServerClass = new (options: { host: string; port: number }) => Server;

/** Whether this runtime has a WebSocket of its own (Node 22+, Deno, Bun, browsers). */
export const hadWebSocket: boolean =
  typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';

/** Makes the `ws` package the global WebSocket when there is none. */
export async function installWebSocket(): Promise<void> {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function') return;
  const ws = 'ws';
  (globalThis as { WebSocket?: unknown }).WebSocket = (
    (await import(ws)) as { WebSocket: unknown }
  ).WebSocket;
}

/** A running relay. */
export interface WebSocketRelay {
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Relays WebSocket connections on a free port of 127.0.0.1 to `host:port`. */
export async function startWebSocketRelay(host: string, port: number): Promise<WebSocketRelay> {
  const ws = 'ws';
  const { WebSocketServer } = (await import(ws)) as { WebSocketServer: ServerClass };
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.on('connection', (ws) => {
    const tcp = createConnection({ host, port });
    tcp.setNoDelay(true);
    tcp.on('data', (bytes) => ws.send(bytes));
    ws.on('message', (bytes) => tcp.write(bytes));
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.terminate());
    ws.on('close', () => tcp.destroy());
    ws.on('error', () => tcp.destroy());
  });
  const address = server.address();
  const listening = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${listening}`,
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
