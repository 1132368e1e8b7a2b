/**
 * Numbered orders published through a NATS outage (a restart, a leader's kill -9) while a durable
 * subscriber applies them through an inbox: each order's effect once, however often delivered.
 */
import { expect } from 'vitest';
import { range, sleep } from '../../js/conformance/helpers.ts';
import { numbered, numberOf } from '../../js/conformance/transport/kit.ts';
import type { Transport } from '../../js/contracts/transport.ts';

/** What the subscriber applied and how the publishing went, as the run goes on. */
export interface OrdersRun {
  /** Each applied message id and its order number. */
  readonly applied: Map<string, number>;
  /** The message ids seen: a delivery of one of these again does nothing. */
  readonly inbox: Set<string>;
  /** Deliveries so far, redeliveries included. */
  deliveries: number;
  /** Publishes refused (and tried again) so far. */
  retries: number;
  /** Resolves once every order is published. */
  published: Promise<void>;
}

/**
 * Subscribes `subscriber` to `orders.>` in queue `billing`, then publishes orders 1..`total`
 * from `publisher` on `orders.<n % 5>`, each tried again every `retryMs` until it is taken, as
 * the outbox relay does.
 */
export async function publishOrders(
  publisher: Transport,
  subscriber: Transport,
  total: number,
  retryMs: number,
): Promise<OrdersRun> {
  const run: OrdersRun = {
    applied: new Map(),
    inbox: new Set(),
    deliveries: 0,
    retries: 0,
    published: Promise.resolve(),
  };
  await subscriber.subscribe(
    'orders.>',
    (envelope) => {
      run.deliveries++;
      if (run.inbox.has(envelope.messageId)) return;
      run.inbox.add(envelope.messageId);
      run.applied.set(envelope.messageId, numberOf(envelope));
    },
    { queue: 'billing' },
  );
  run.published = (async () => {
    for (const envelope of range(1, total).map((n) => numbered(n))) {
      for (;;) {
        try {
          await publisher.publish(`orders.${numberOf(envelope) % 5}`, envelope);
          break;
        } catch {
          run.retries++;
          await sleep(retryMs);
        }
      }
    }
  })();
  return run;
}

/** Every order 1..`total` applied exactly once, after at least `total` deliveries. */
export function expectEachOrderOnce(run: OrdersRun, total: number): void {
  expect([...run.applied.values()].sort((a, b) => a - b)).toEqual(range(1, total));
  expect(run.inbox.size).toBe(total);
  expect(run.deliveries).toBeGreaterThanOrEqual(total);
}
