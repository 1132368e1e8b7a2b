/**
 * Faults the rig injects inside one process, each decided by the run's seeded random numbers: a
 * publish that fails before the transport takes the envelope, or after (so it goes out twice), a
 * delivery made twice, and an outbox that "crashes" after the publish but before the records are
 * taken out (so the relay publishes them again).
 */
import { type Driver, type OutboxStore, type Transport, WhizbangError } from '../../js/mod.ts';

/** How often each fault happens, and how many did. */
export interface FaultCounts {
  publishRefused: number;
  publishUnconfirmed: number;
  deliveredTwice: number;
  crashedBeforeDelivered: number;
}

/** A fresh tally. */
export function noFaults(): FaultCounts {
  return { publishRefused: 0, publishUnconfirmed: 0, deliveredTwice: 0, crashedBeforeDelivered: 0 };
}

/**
 * A negative control: a receiving side that breaks the promises on purpose, so a run shows the
 * checks catch it — `rehandle` delivers the twice-delivered envelopes under a new id (the inbox
 * cannot know them), `drop` loses them instead of handling them.
 */
export type Control = 'rehandle' | 'drop';

/**
 * `inner`, whose publish fails with probability `p`: half before taking the envelope
 * (`UNAVAILABLE`), half after (taken, but the error says otherwise); and whose subscriptions get
 * a delivery twice with probability `p` (or, under a `control`, broken on purpose).
 */
export function faultyTransport(
  inner: Transport,
  rng: () => number,
  p: number,
  counts: FaultCounts,
  control?: Control,
): Transport {
  return {
    name: `faulty ${inner.name}`,
    async publish(topic, envelope) {
      const r = rng();
      if (r < p / 2) {
        counts.publishRefused++;
        throw new WhizbangError('UNAVAILABLE', 'injected: the broker did not take it');
      }
      await inner.publish(topic, envelope);
      if (r < p) {
        counts.publishUnconfirmed++;
        throw new Error('injected: taken, but the confirmation was lost');
      }
    },
    ...(inner.flush === undefined ? {} : { flush: () => inner.flush!() }),
    subscribe: (topic, handler, options) =>
      inner.subscribe(
        topic,
        async (envelope, at) => {
          // a control breaks a quarter of the deliveries, so every run has some to catch
          const twice = rng() < (control === undefined ? p : Math.max(p, 0.25));
          if (twice && control === 'drop') return;
          await handler(envelope, at);
          if (!twice) return;
          counts.deliveredTwice++;
          const copy = structuredClone(envelope);
          await handler(
            control === 'rehandle' ? { ...copy, messageId: `${copy.messageId}-again` } : copy,
            at,
          );
        },
        options,
      ),
    ...(inner.request === undefined ? {} : { request: inner.request.bind(inner) }),
    ...(inner.respond === undefined ? {} : { respond: inner.respond.bind(inner) }),
  };
}

/** `driver`, whose outbox fails to take delivered records out with probability `p`. */
export function crashingOutbox(
  driver: Driver,
  rng: () => number,
  p: number,
  counts: FaultCounts,
): Driver {
  const outbox = driver.store.outbox!;
  const faulty: OutboxStore = {
    pending: (limit, now) => outbox.pending(limit, now),
    delivered(ids) {
      if (ids.length > 0 && rng() < p) {
        counts.crashedBeforeDelivered++;
        throw new Error('injected: the process died before the delivered records were taken out');
      }
      return outbox.delivered(ids);
    },
    retryLater: (id, error, at) => outbox.retryLater(id, error, at),
    deadLetter: (id, error, at) => outbox.deadLetter(id, error, at),
    deadLetters: (limit) => outbox.deadLetters(limit),
    replay: (ids) => outbox.replay(ids),
    counts: () => outbox.counts(),
    handled: (tenant, id) => outbox.handled(tenant, id),
    unfinished: (tenant, id) => outbox.unfinished(tenant, id),
  };
  const store = driver.store;
  return {
    ...driver,
    store: {
      get: (p1, t, id) => store.get(p1, t, id),
      query: (p1, t, q) => store.query(p1, t, q),
      checkpoint: (p1) => store.checkpoint(p1),
      transaction: (fn) => store.transaction(fn),
      clear: (p1) => store.clear(p1),
      outbox: faulty,
    },
  };
}
