/**
 * RabbitMQ over WebSocket, as a browser reaches it: through a WebSocket-to-TCP relay of the test's
 * own to the shared broker, the transport's conformance suite runs from Node with the client's
 * WebSocket client (Node 20 has no WebSocket of its own: the `ws` package stands in).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rabbitmqTransport } from '../../adapters/rabbitmq/mod.ts';
import { caught } from '../../js/conformance/helpers.ts';
import { RABBITMQ_URL, rabbitmqReachable } from '../support/services.ts';
import {
  hadWebSocket,
  installWebSocket,
  startWebSocketRelay,
  type WebSocketRelay,
} from '../support/websocket.ts';
import { rabbitmqSuites } from './rabbitmq-suites.ts';

const up = await rabbitmqReachable('RabbitMQ over WebSocket');
const broker = new URL(RABBITMQ_URL);
let relay: WebSocketRelay | undefined;
if (up) relay = await startWebSocketRelay(broker.hostname, Number(broker.port || 5672));
afterAll(async () => {
  await relay?.close();
});
// credentials travel in the AMQP handshake, not in the WebSocket's URL
const wsUrl = (): string => {
  const url = new URL(relay!.url);
  url.username = broker.username;
  url.password = broker.password;
  return url.href;
};

describe.skipIf(!up)('RabbitMQ over WebSocket from Node', () => {
  it('a ws:// URL without a global WebSocket is a clear INVALID_ARGUMENT', async () => {
    if (hadWebSocket) return; // Node 22+: there is one
    const error = await caught(() => rabbitmqTransport({ urls: wsUrl() }));
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((error as Error).message).toMatch(/no global WebSocket/);
  });

  it('with the ws package as WebSocket, the transport connects through the relay', async () => {
    await installWebSocket(); // the ws package (a dev dependency) where Node has none
    const t = await rabbitmqTransport({ urls: wsUrl() });
    await t.close();
  });

  rabbitmqSuites('Node, WebSocket', wsUrl(), {
    numRuns: 3,
    modes: ['reliable'],
    adminUrl: RABBITMQ_URL,
  });
});
