// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  memoryDriver,
  memoryTransport,
  type OutboxRecord,
  payload,
  type Transport,
  type WireEnvelope,
  whizbang,
} from '../../js/mod.ts';

const PlaceOrder = defineCommand('PlaceOrder', payload<{ orderId: string; total: number }>());
const ChargeCard = defineCommand('ChargeCard', payload<{ orderId: string; amount: number }>());
const ShipOrder = defineCommand('ShipOrder', payload<{ orderId: string }>());
const OrderPlaced = defineEvent('OrderPlaced', payload<{ orderId: string; total: number }>());
const CardCharged = defineEvent('CardCharged', payload<{ orderId: string; amount: number }>());
const ShipmentBooked = defineEvent('ShipmentBooked', payload<{ orderId: string }>());

const placeOrder = defineReceptor({
  command: PlaceOrder,
  stream: (c) => `order-${c.data.orderId}`,
  handle: (c) => [
    OrderPlaced(c.data),
    ChargeCard({ orderId: c.data.orderId, amount: c.data.total }),
  ],
});
const chargeCard = defineReceptor({
  command: ChargeCard,
  stream: (c) => `payment-${c.data.orderId}`,
  handle: (c) => CardCharged(c.data),
});
const shipOrder = defineReceptor({
  command: ShipOrder,
  stream: (c) => `shipment-${c.data.orderId}`,
  handle: (c) => ShipmentBooked(c.data),
});

/** Orders routes ChargeCard to payments and publishes OrderPlaced to anyone listening. */
const services = () => {
  const transport = memoryTransport();
  const orders = whizbang('orders')
    .receptor(placeOrder)
    .route(ChargeCard, { to: 'outbox' })
    .route(OrderPlaced, { to: 'both' })
    .build();
  const payments = whizbang('payments').receptor(chargeCard).build();
  const shipping = whizbang('shipping')
    .receptor(shipOrder)
    .on(OrderPlaced, (e) => ShipOrder({ orderId: e.data.orderId }))
    .build();
  return { transport, orders, payments, shipping };
};

const eventually = async (check: () => Promise<boolean> | boolean, ms = 2000) => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('outbox, relay and inbox between processes', () => {
  it('sends routed commands and events through the outbox, same correlation on the other side', async () => {
    const { transport, orders, payments, shipping } = services();
    await payments.listen(transport);
    await shipping.listen(transport);
    const relay = orders.relay(transport);
    const receipt = await orders.send(PlaceOrder({ orderId: 'o1', total: 42 }));
    expect(receipt.status).toBe('handled');
    await relay.flush();
    await eventually(async () => (await payments.ledger.streamVersion('payment-o1')) === 1);
    await eventually(async () => (await shipping.ledger.streamVersion('shipment-o1')) === 1);
    const [charged] = await payments.ledger.readStream('payment-o1');
    const [booked] = await shipping.ledger.readStream('shipment-o1');
    expect(charged?.data).toEqual({ orderId: 'o1', amount: 42 });
    expect(charged?.correlationId).toBe(receipt.correlationId);
    expect(booked?.correlationId).toBe(receipt.correlationId);
    expect(relay.delivered).toBe(2);
    await relay.stop();
  });

  it('queues a command it has no receptor for, with a receipt that says so', async () => {
    const { orders } = services();
    const receipt = await orders.send(ChargeCard({ orderId: 'o2', amount: 5 }));
    expect(receipt).toMatchObject({ status: 'queued', events: 0, version: undefined });
    expect(receipt.envelope.hops.map((h) => h.where)).toEqual(['outbox']);
    const [record] = await orders.store.outbox!.pending(10, Date.now());
    expect(record).toMatchObject({ topic: 'whizbang.commands.ChargeCard', attempts: 0 });
    expect(record?.envelope.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('writes outbox records in the append’s transaction: nothing goes out when it rolls back', async () => {
    const Boom = defineEvent('Boom', payload<{ n: number }>());
    const Make = defineCommand('Make', payload<{ n: number }>());
    const fragile = definePerspective({
      name: 'fragile',
      events: [Boom],
      initial: () => ({}),
      apply: () => {
        throw new Error('nope');
      },
    });
    const app = whizbang()
      .receptor(defineReceptor({ command: Make, stream: () => 'm', handle: (c) => Boom(c.data) }))
      .perspective(fragile)
      .route(Boom, { to: 'outbox' })
      .build();
    await expect(app.send(Make({ n: 1 }))).rejects.toThrow(/nope/);
    expect(await app.store.outbox!.pending(10, Date.now())).toEqual([]);
    expect(await app.ledger.headPosition()).toBe(0);
  });

  it('has a redelivered message take effect once (inbox)', async () => {
    const transport = memoryTransport();
    const payments = whizbang('payments').receptor(chargeCard).build();
    await payments.listen(transport);
    const wire: WireEnvelope = {
      message: ChargeCard({ orderId: 'o3', amount: 7 }),
      messageId: '01900000-0000-7000-8000-000000000001',
      correlationId: '01900000-0000-7000-8000-000000000001',
      causationId: '01900000-0000-7000-8000-000000000001',
      tenant: 'default',
      timestamp: Date.now(),
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      hops: [],
    };
    await transport.publish('whizbang.commands.ChargeCard', wire);
    await transport.publish('whizbang.commands.ChargeCard', wire);
    await transport.publish('whizbang.commands.ChargeCard', { ...wire, tenant: 'acme' }); // another tenant's message
    await eventually(
      async () => (await payments.ledger.streamVersion('payment-o3', { tenant: 'acme' })) === 1,
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(await payments.ledger.streamVersion('payment-o3')).toBe(1);
    expect(await payments.store.outbox!.handled('default', wire.messageId)).toBe(true);
    const [event] = await payments.ledger.readStream('payment-o3');
    expect(event?.causationId).toBe(wire.messageId);
    await transport.close();
  });

  it('retries a failed delivery in order, and dead-letters after maxAttempts', async () => {
    const published: string[] = [];
    let failures = 2;
    const flaky: Transport = {
      name: 'flaky',
      publish: (topic, envelope) => {
        if (failures-- > 0) throw new Error('broker unavailable');
        published.push(`${topic}:${(envelope.message.data as { orderId: string }).orderId}`);
      },
      subscribe: () => ({ close: () => {} }),
    };
    const app = whizbang('orders').route(ChargeCard, { to: 'outbox' }).build();
    await app.send(ChargeCard({ orderId: 'a', amount: 1 }));
    await app.send(ChargeCard({ orderId: 'b', amount: 1 }));
    const relay = app.relay(flaky, { backoffMs: 1, pollMs: 5 });
    await eventually(() => published.length === 2);
    expect(published).toEqual(['whizbang.commands.ChargeCard:a', 'whizbang.commands.ChargeCard:b']);
    await relay.stop();

    const dead: OutboxRecord[] = [];
    const broken: Transport = { ...flaky, publish: () => Promise.reject(new Error('gone')) };
    await app.send(ChargeCard({ orderId: 'c', amount: 1 }));
    const relay2 = app.relay(broken, {
      backoffMs: 1,
      pollMs: 5,
      maxAttempts: 3,
      onDeadLetter: (r) => void dead.push(r),
    });
    await eventually(() => dead.length === 1);
    expect(dead[0]).toMatchObject({ attempts: 3, lastError: 'gone' });
    expect(await app.store.outbox!.pending(10, Date.now() + 60_000)).toEqual([]);
    expect(await app.store.outbox!.deadLetters()).toMatchObject([
      { attempts: 3, lastError: 'gone' },
    ]);
    await relay2.stop();
  });

  it('records ledger-only events without fanning them out, and checks routes', async () => {
    let reacted = 0;
    const app = whizbang()
      .receptor(chargeCard)
      .on(CardCharged, () => void reacted++)
      .route(CardCharged, { to: 'ledger-only' })
      .build({ driver: memoryDriver() });
    await app.send(ChargeCard({ orderId: 'l', amount: 1 }));
    expect(await app.ledger.streamVersion('payment-l')).toBe(1);
    expect(reacted).toBe(0);
    expect(() => whizbang().route(ChargeCard, { to: 'ledger-only' })).toThrow(/for events/);
    expect(() => whizbang().route(ChargeCard, { topic: 'bad topic!' })).toThrow(
      /not a usable topic/,
    );
    // the memory driver keeps an outbox, so a relay starts on it
    const idle = whizbang()
      .build()
      .relay({ name: 'x', publish: () => {}, subscribe: () => ({ close: () => {} }) });
    expect(await idle.flush()).toBe(0);
    await idle.stop();
  });
});
