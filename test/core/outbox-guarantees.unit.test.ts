// @runtimes node deno bun
/**
 * What the outbox, the relay and the inbox promise under faults, one test per finding of the
 * durability rig: order per stream through a failed publish, no drop in a long outage (dead letters
 * kept, counted and replayable), the whole effect of a handled message once, commands run only on
 * the topic routed for their type, and `send` idempotent by message id.
 */
import { describe, expect, it } from 'vitest';
import {
  defineCommand,
  defineEvent,
  defineReceptor,
  memoryTransport,
  payload,
  type Transport,
  type WireEnvelope,
  whizbang,
} from '../../js/mod.ts';

const Place = defineCommand('Place', payload<{ orderId: string; n: number }>());
const Placed = defineEvent('Placed', payload<{ orderId: string; n: number }>());
const Reserve = defineCommand('Reserve', payload<{ orderId: string }>());
const Reserved = defineEvent('Reserved', payload<{ orderId: string }>());
const Ship = defineCommand('Ship', payload<{ orderId: string }>());
const Shipped = defineEvent('Shipped', payload<{ orderId: string }>());

const eventually = async (check: () => Promise<boolean> | boolean, ms = 3000): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** A transport that records what it took, and fails while `failing` says so. */
function recording(failing: (n: number, envelope: WireEnvelope) => boolean): Transport & {
  readonly taken: WireEnvelope[];
} {
  const taken: WireEnvelope[] = [];
  let calls = 0;
  return {
    name: 'recording',
    taken,
    publish(_topic, envelope) {
      if (failing(calls++, envelope)) throw new Error('broker unavailable');
      taken.push(envelope);
    },
    subscribe: () => ({ close: () => {} }),
  };
}

const numbers = (list: readonly WireEnvelope[]): number[] =>
  list.map((e) => (e.message.data as { n: number }).n);

/** An app whose `Place` appends `Placed` to `order-<id>`, routed to the outbox. */
const orders = () =>
  whizbang('orders')
    .receptor(
      defineReceptor({
        command: Place,
        stream: (c) => `order-${c.data.orderId}`,
        handle: (c) => Placed(c.data),
      }),
    )
    .route(Placed, { to: 'outbox' })
    .build();

describe('the relay keeps order per stream', () => {
  it('holds the records behind a failed one in its stream, and lets other streams go on', async () => {
    const app = orders();
    for (let n = 1; n <= 3; n++) await app.send(Place({ orderId: 'a', n }));
    await app.send(Place({ orderId: 'b', n: 10 }));
    // the first publish (a's first record) fails once
    const transport = recording((call) => call === 0);
    const relay = app.relay(transport, { backoffMs: 30, pollMs: 5 });
    await eventually(() => transport.taken.length === 4);
    const ofStream = (id: string) => transport.taken.filter((e) => e.streamId === `order-${id}`);
    expect(numbers(ofStream('a'))).toEqual([1, 2, 3]);
    // b was not held back by a's failure: it went before a's retry
    expect(numbers(transport.taken)[0]).toBe(10);
    await relay.stop();
  });

  it('keeps order for commands without a stream, per topic', async () => {
    const app = whizbang('sender').route(Ship, { to: 'outbox' }).build();
    for (const orderId of ['1', '2', '3']) await app.send(Ship({ orderId }));
    const transport = recording((call) => call === 0);
    const relay = app.relay(transport, { backoffMs: 20, pollMs: 5 });
    await eventually(() => transport.taken.length === 3);
    expect(transport.taken.map((e) => (e.message.data as { orderId: string }).orderId)).toEqual([
      '1',
      '2',
      '3',
    ]);
    await relay.stop();
  });
});

describe('no accepted message is dropped', () => {
  it('keeps retrying through a long outage by default, with the backoff capped', async () => {
    const app = orders();
    await app.send(Place({ orderId: 'a', n: 1 }));
    const errors: unknown[] = [];
    let failures = 0;
    const down = recording(() => failures++ < 40);
    const relay = app.relay(down, {
      backoffMs: 1,
      maxBackoffMs: 4,
      pollMs: 2,
      onError: (e) => void errors.push(e),
    });
    await eventually(() => down.taken.length === 1, 5000);
    expect(failures).toBeGreaterThan(40);
    expect(errors.length).toBeGreaterThanOrEqual(40);
    expect(relay.delivered).toBe(1);
    expect(await app.store.outbox!.counts()).toMatchObject({ outbox: 0, deadLetters: 0 });
    await relay.stop();
  });

  it('moves a record to the dead letters after maxAttempts: counted, listed, replayed with one call', async () => {
    const app = orders();
    await app.send(Place({ orderId: 'a', n: 1 }));
    await app.send(Place({ orderId: 'a', n: 2 }));
    const dead: string[] = [];
    let broken = true;
    const transport = recording((_call, e) => broken && numbers([e])[0] === 1);
    const relay = app.relay(transport, {
      backoffMs: 1,
      pollMs: 2,
      maxAttempts: 3,
      onDeadLetter: (r) => void dead.push(r.id),
    });
    await eventually(() => dead.length === 1 && transport.taken.length === 1);
    const outbox = app.store.outbox!;
    // the stream went on without it: n = 2 was delivered after n = 1 was dead-lettered
    expect(numbers(transport.taken)).toEqual([2]);
    expect(await outbox.counts()).toMatchObject({ outbox: 0, deadLetters: 1 });
    const [letter] = await outbox.deadLetters();
    expect(letter).toMatchObject({ id: dead[0], attempts: 3, lastError: 'broker unavailable' });
    expect(typeof letter?.deadAt).toBe('number');
    broken = false;
    expect(await outbox.replay()).toBe(1);
    await eventually(() => transport.taken.length === 2);
    expect(numbers(transport.taken)).toEqual([2, 1]);
    expect(await outbox.counts()).toMatchObject({ outbox: 0, deadLetters: 0 });
    await relay.stop();
  });
});

/**
 * A warehouse whose `Ship` fails the first time (after whatever came before it committed);
 * `reserve` is what `Reserve` decides, `on` what it does with an incoming `Placed`.
 */
function warehouse(
  reserve: (c: ReturnType<typeof Reserve>) => unknown,
  shipStream: (orderId: string) => string,
  placed?: (e: { data: { orderId: string } }) => unknown,
) {
  let shipFailures = 1;
  const builder = whizbang('warehouse')
    .receptor(
      defineReceptor({
        command: Reserve,
        stream: (c) => `stock-${c.data.orderId}`,
        handle: (c) => reserve(c) as ReturnType<typeof Reserved>,
      }),
    )
    .receptor(
      defineReceptor({
        command: Ship,
        stream: (c) => shipStream(c.data.orderId),
        handle: (c) => {
          if (shipFailures-- > 0) throw new Error('carrier down');
          return Shipped(c.data);
        },
      }),
    );
  return (placed === undefined ? builder : builder.on(Placed, placed as never)).build();
}

describe('the whole effect of a handled message, once', () => {
  it('finishes the second command of an event handler that failed once, on redelivery', async () => {
    const transport = memoryTransport({ redelivery: { attempts: 5, backoffMs: 1 } });
    const stock = warehouse(
      (c) => Reserved(c.data),
      (orderId) => `stock-${orderId}`,
      (e) => [Reserve({ orderId: e.data.orderId }), Ship({ orderId: e.data.orderId })],
    );
    await stock.listen(transport);
    const app = orders();
    const relay = app.relay(transport, { pollMs: 5 });
    await app.send(Place({ orderId: 'o1', n: 1 }));
    await eventually(async () => (await stock.ledger.streamVersion('stock-o1')) === 2);
    await new Promise((r) => setTimeout(r, 30));
    const events = await stock.ledger.readStream('stock-o1');
    expect(events.map((e) => e.type)).toEqual(['Reserved', 'Shipped']);
    await relay.stop();
    await transport.close();
  });

  it('finishes the cascade of a command whose append committed before a later step failed', async () => {
    const transport = memoryTransport({ redelivery: { attempts: 5, backoffMs: 1 } });
    // Reserve records its event, then asks for shipping
    const stock = warehouse(
      (c) => [Reserved(c.data), Ship(c.data)],
      (orderId) => `ship-${orderId}`,
    );
    await stock.listen(transport);
    const sender = whizbang('shop').route(Reserve, { to: 'outbox' }).build();
    const relay = sender.relay(transport, { pollMs: 5 });
    await sender.send(Reserve({ orderId: 'o2' }));
    await eventually(async () => (await stock.ledger.streamVersion('ship-o2')) === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect((await stock.ledger.readStream('stock-o2')).map((e) => e.type)).toEqual(['Reserved']);
    expect((await stock.ledger.readStream('ship-o2')).map((e) => e.type)).toEqual(['Shipped']);
    await relay.stop();
    await transport.close();
  });
});

describe('commands are taken only on the topic routed for their type', () => {
  it('does not run the Internal receptor for an Internal envelope arriving on the Public topic', async () => {
    const Public = defineCommand('Public', payload<{ id: string }>());
    const Internal = defineCommand('Internal', payload<{ id: string }>());
    const Done = defineEvent('Done', payload<{ id: string }>());
    const ran: string[] = [];
    const app = whizbang('api')
      .receptor(
        defineReceptor({
          command: Public,
          stream: (c) => `p-${c.data.id}`,
          handle: (c) => {
            ran.push('Public');
            return Done(c.data);
          },
        }),
      )
      .receptor(
        defineReceptor({
          command: Internal,
          stream: (c) => `i-${c.data.id}`,
          handle: (c) => {
            ran.push('Internal');
            return Done(c.data);
          },
        }),
      )
      .build();
    const dead: string[] = [];
    const transport = memoryTransport({
      redelivery: { attempts: 1 },
      deadLetter: (e) => void dead.push(e.message.type),
    });
    await app.listen(transport, { topics: ['whizbang.commands.Public'] });
    const wire = (message: ReturnType<typeof Public | typeof Internal>): WireEnvelope => ({
      message,
      messageId: crypto.randomUUID(),
      correlationId: 'c',
      causationId: 'c',
      tenant: 'default',
      timestamp: Date.now(),
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      hops: [],
    });
    await transport.publish('whizbang.commands.Public', wire(Internal({ id: '1' })));
    await transport.publish('whizbang.commands.Public', wire(Public({ id: '2' })));
    await eventually(() => ran.length === 1 && dead.length === 1);
    expect(ran).toEqual(['Public']);
    expect(dead).toEqual(['Internal']);
    expect(await app.ledger.streamVersion('i-1')).toBe(0);
    await transport.close();
  });
});

describe('send is idempotent by message id', () => {
  it('handles a command sent twice with one messageId once; the second receipt says duplicate', async () => {
    const app = orders();
    const messageId = '01900000-0000-7000-8000-00000000abcd';
    const first = await app.send(Place({ orderId: 'x', n: 1 }), { messageId });
    const second = await app.send(Place({ orderId: 'x', n: 1 }), { messageId });
    expect(first.status).toBe('handled');
    expect(second.status).toBe('duplicate');
    expect(second.messageId).toBe(messageId);
    expect(await app.ledger.streamVersion('order-x')).toBe(1);
    // another id is another command
    await app.send(Place({ orderId: 'x', n: 2 }), { messageId: `${messageId}-2` });
    expect(await app.ledger.streamVersion('order-x')).toBe(2);
  });
});
