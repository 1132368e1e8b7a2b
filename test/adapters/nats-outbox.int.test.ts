/**
 * What the NATS transport does for the outbox and inbox: it starts while its server is away and
 * connects when it comes (the status observable), says UNAVAILABLE (rather than waiting) while
 * it has no connection, keeps a slow handler's message while it works, and a queue group over
 * JetStream gets what was stored before it first listened.
 */
import { describe, expect, it } from 'vitest';
import { type NatsTransportStatus, natsTransport } from '../../adapters/nats/node.ts';
import { caught, sleep } from '../../js/conformance/helpers.ts';
import { numbered, numberOf } from '../../js/conformance/transport/kit.ts';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  isWhizbangError,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { natsServerAvailable, startNatsServer } from '../support/nats-server.ts';

const installed = await natsServerAvailable('NATS outbox');

async function until(check: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${what()}`);
    await sleep(5);
  }
}

const reconnect = { initialMs: 20, maxMs: 100 };

describe.skipIf(!installed)('NATS transport for the outbox', () => {
  it('starts while its server is away, says UNAVAILABLE meanwhile, and connects when it comes', async () => {
    const server = await startNatsServer();
    await server.kill();
    const statuses: NatsTransportStatus[] = [];
    const transport = await natsTransport({
      servers: server.url,
      reconnect,
      jetstream: { stream: 'LATE' },
      onStatus: (status) => void statuses.push(status),
    });
    try {
      expect(transport.status).toBe('connecting');
      const refused = await caught(() => transport.publish('jobs', numbered(0)));
      expect(isWhizbangError(refused, 'UNAVAILABLE')).toBe(true);
      const got: number[] = [];
      await transport.subscribe('jobs', (e) => void got.push(numberOf(e)), { queue: 'workers' });
      await server.start();
      await transport.ready();
      expect(transport.status).toBe('connected');
      expect(statuses).toEqual(['connected']);
      await transport.publish('jobs', numbered(1));
      await until(
        () => got.length === 1,
        () => `one envelope, got ${got}`,
      );
      // the server goes away again: publishing says so at once, and comes back with the server
      await server.kill();
      await until(
        () => transport.status === 'reconnecting',
        () => transport.status,
      );
      const down = await caught(() => transport.publish('jobs', numbered(2)));
      expect(isWhizbangError(down, 'UNAVAILABLE')).toBe(true);
      await server.start();
      await until(
        () => transport.status === 'connected',
        () => transport.status,
      );
      await transport.publish('jobs', numbered(3));
      await until(
        () => got.includes(3),
        () => `envelope 3, got ${got}`,
      );
      // at least once: an ack the killed server had not yet written brings 1 again (the inbox's job)
      expect([...new Set(got)]).toEqual([1, 3]);
      expect(statuses).toEqual(['connected', 'reconnecting', 'connected']);
    } finally {
      await transport.close();
      await server.dispose();
    }
    expect(transport.status).toBe('closed');
  }, 60_000);

  it('a transport closed before its server came stops waiting for it', async () => {
    const server = await startNatsServer();
    await server.kill();
    const transport = await natsTransport({ servers: server.url, reconnect });
    const ready = transport.ready().catch((e: unknown) => e);
    await transport.close();
    expect(isWhizbangError(await ready, 'CLOSED')).toBe(true);
    await server.dispose();
  });

  it('keeps the message of a handler that works longer than the ack wait: delivered once', async () => {
    const server = await startNatsServer();
    const transport = await natsTransport({
      servers: server.url,
      jetstream: { stream: 'SLOW', ackWaitMs: 200 },
    });
    try {
      const deliveries: number[] = [];
      await transport.subscribe(
        'slow',
        async (e) => {
          deliveries.push(numberOf(e));
          await sleep(900);
        },
        { queue: 'g' },
      );
      await transport.publish('slow', numbered(1));
      await transport.publish('slow', numbered(2));
      await until(
        () => deliveries.length >= 2,
        () => `${deliveries}`,
      );
      await sleep(1_200);
      expect(deliveries).toEqual([1, 2]);
    } finally {
      await transport.close();
      await server.dispose();
    }
  }, 30_000);

  it('an app that first listens after orders were relayed gets them all (JetStream group from the start)', async () => {
    const server = await startNatsServer();
    const Ship = defineCommand('Ship', payload<{ orderId: string }>());
    const Shipped = defineEvent('Shipped', payload<{ orderId: string }>());
    const options = { servers: server.url, jetstream: { stream: 'ORDERS' } };
    const a = await natsTransport(options);
    const b = await natsTransport(options);
    try {
      const shop = whizbang('shop').route(Ship, { to: 'outbox' }).build();
      const relay = shop.relay(a);
      for (const orderId of ['1', '2', '3', '4']) await shop.send(Ship({ orderId }));
      await relay.flush();
      expect(relay.delivered).toBe(4);
      const warehouse = whizbang('warehouse')
        .receptor(
          defineReceptor({
            command: Ship,
            stream: () => 'shipments',
            handle: (c) => Shipped(c.data),
          }),
        )
        .build();
      await warehouse.listen(b);
      const shipped = async (): Promise<string[]> =>
        (await warehouse.ledger.readStream('shipments')).map(
          (e) => (e.data as { orderId: string }).orderId,
        );
      const deadline = Date.now() + 20_000;
      while ((await shipped()).length < 4 && Date.now() < deadline) await sleep(10);
      await sleep(100);
      expect(await shipped()).toEqual(['1', '2', '3', '4']);
      await relay.stop();
    } finally {
      await a.close();
      await b.close();
      await server.dispose();
    }
  }, 30_000);
});
