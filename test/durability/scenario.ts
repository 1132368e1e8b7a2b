/**
 * The durability rig's domain, written against the README's API. The sender places orders: each
 * `Place` appends an `OrderPlaced` to its customer's stream, routed to the outbox and relayed. The
 * receiver listens: a handler turns each `OrderPlaced` into two commands, `Bill` and `Ship`, each
 * appending to a stream of the customer's; `Ship` fails once for some orders (after `Bill`
 * committed), so the whole effect of a message has to survive a failure half way.
 */
import {
  type Driver,
  defineCommand,
  defineEvent,
  defineReceptor,
  payload,
  type Whizbang,
  whizbang,
} from '../../js/mod.ts';

/** One order: the n-th of its customer. */
export interface Order {
  readonly customer: number;
  readonly seq: number;
}

export const Place = defineCommand('Place', payload<Order>());
export const OrderPlaced = defineEvent('OrderPlaced', payload<Order>());
export const Bill = defineCommand('Bill', payload<Order>());
export const Billed = defineEvent('Billed', payload<Order>());
export const Ship = defineCommand('Ship', payload<Order>());
export const Shipped = defineEvent('Shipped', payload<Order>());

/** The i-th order the sender places (customers in turn). */
export function orderAt(i: number, customers: number): Order {
  return { customer: i % customers, seq: Math.floor(i / customers) + 1 };
}

/** The message id of an order's `Place`: sent again after a restart, it is handled once. */
export const placeId = (o: Order): string => `place-${o.customer}-${o.seq}`;

/** The sender: `Place` appends `OrderPlaced` to `customer-<n>`, which goes to the outbox. */
export function senderApp(driver: Driver): Whizbang<ReturnType<typeof Place>> {
  return whizbang('sender')
    .receptor(
      defineReceptor({
        command: Place,
        stream: (c) => `customer-${c.data.customer}`,
        handle: (c) => OrderPlaced(c.data),
      }),
    )
    .route(OrderPlaced, { to: 'outbox' })
    .build({ driver });
}

/**
 * The receiver: `OrderPlaced` → `Bill` then `Ship`; `failsOnce(order)` says which orders' `Ship`
 * throws the first time it runs in this process.
 */
export function receiverApp(driver: Driver, failsOnce: (o: Order) => boolean): Whizbang {
  const failed = new Set<string>();
  return whizbang('receiver')
    .receptor(
      defineReceptor({
        command: Bill,
        stream: (c) => `bill-${c.data.customer}`,
        handle: (c) => Billed(c.data),
      }),
    )
    .receptor(
      defineReceptor({
        command: Ship,
        stream: (c) => `ship-${c.data.customer}`,
        handle: (c) => {
          const key = `${c.data.customer}-${c.data.seq}`;
          if (failsOnce(c.data) && !failed.has(key)) {
            failed.add(key);
            throw new Error(`carrier down for order ${key} (after it was billed)`);
          }
          return Shipped(c.data);
        },
      }),
    )
    .on(OrderPlaced, (e) => [Bill(e.data), Ship(e.data)])
    .build({ driver });
}

/** A small seeded random number generator (mulberry32): the same run for the same seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Whether an order's `Ship` fails once, for a seed: about `share` of them. */
export function failingShips(seed: number, share: number): (o: Order) => boolean {
  return (o) => seeded(seed * 7919 + o.customer * 104_729 + o.seq)() < share;
}
