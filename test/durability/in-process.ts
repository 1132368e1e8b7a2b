/**
 * One run of the rig inside this process: the sender and the receiver each on a store of their
 * own, over the memory transport or NATS, with the faults of `faults.ts`, the relay and (on
 * JetStream) the receiver restarted mid-run, `Place` sent twice now and then, and (on JetStream)
 * the broker killed and restarted while orders flow.
 */
import { sleep } from '../../js/conformance/helpers.ts';
import type { Driver, Relay, Transport, TransportSubscription, Whizbang } from '../../js/mod.ts';
import type { OwnNatsServer } from '../support/nats-server.ts';
import { type Outcome, ordersIn, problems, totals } from './check.ts';
import {
  type Control,
  crashingOutbox,
  type FaultCounts,
  faultyTransport,
  noFaults,
} from './faults.ts';
import {
  failingShips,
  orderAt,
  Place,
  placeId,
  receiverApp,
  seeded,
  senderApp,
} from './scenario.ts';
import {
  openNats,
  type Places,
  type StoreKind,
  sharedMemoryTransport,
  type TransportKind,
} from './setup.ts';

/** One in-process run. */
export interface InProcessRun {
  readonly store: StoreKind;
  readonly transport: TransportKind;
  readonly seed: number;
  readonly orders: number;
  readonly customers: number;
  readonly places: Places;
  /** The run's own server, for NATS (killed and restarted on JetStream). */
  readonly broker?: OwnNatsServer;
  /** How long the broker stays down, ms. */
  readonly outageMs?: number;
  /** Breaks the receiving side on purpose (a negative control: the checks must catch it). */
  readonly control?: Control;
}

/** What a run found. */
export interface RunReport {
  readonly label: string;
  readonly outcome: Outcome;
  readonly problems: string[];
  readonly events: Record<string, number>;
  readonly ms: number;
}

const RELAY = { pollMs: 10, backoffMs: 5, maxBackoffMs: 200 };

/** Runs one seed; resolves with what it found (the caller asserts there are no problems). */
export async function runInProcess(run: InProcessRun): Promise<RunReport> {
  const started = Date.now();
  const rng = seeded(run.seed);
  const faults: FaultCounts = noFaults();
  const events = { relayRestarts: 0, receiverRestarts: 0, brokerKills: 0, repeatedSends: 0 };
  const label = `in process, ${run.store} × ${run.transport}, seed ${run.seed}${run.control === undefined ? '' : ` (control: ${run.control})`}`;
  const specA = run.places.fresh(run.store, 'sender');
  const specB = run.places.fresh(run.store, 'receiver');
  const plainA = await run.places.open(specA);
  const driverA = crashingOutbox(plainA, rng, 0.05, faults);
  const driverB = await run.places.open(specB);
  const prefix = `rig_${run.seed}_${Date.now().toString(36)}_${Math.floor(rng() * 1e6)}`;
  const nats = run.transport !== 'memory';
  const url = run.broker?.url ?? '';
  const shared = nats ? undefined : sharedMemoryTransport();
  const ta: Transport = shared ?? (await openNats({ kind: run.transport, url, prefix }));
  const tb: Transport = shared ?? (await openNats({ kind: run.transport, url, prefix }));
  const jetstream = run.transport === 'nats-jetstream';
  const publishing = faultyTransport(ta, rng, 0.05, faults);
  const receiving = faultyTransport(tb, rng, 0.03, faults, run.control);
  const failsOnce = failingShips(run.seed, 0.05);

  let receiver: Whizbang = receiverApp(driverB, failsOnce);
  let sub: TransportSubscription = await receiver.listen(receiving);
  const sender = senderApp(driverA);
  let relay: Relay = sender.relay(publishing, RELAY);
  const killAt =
    jetstream && run.broker !== undefined ? Math.floor(run.orders * (0.3 + rng() * 0.3)) : -1;
  let outage: Promise<void> | undefined;
  try {
    for (let i = 0; i < run.orders; i++) {
      const order = orderAt(i, run.customers);
      await sender.send(Place(order), { messageId: placeId(order) });
      if (rng() < 0.05) {
        events.repeatedSends++;
        const again = await sender.send(Place(order), { messageId: placeId(order) });
        if (again.status !== 'duplicate')
          throw new Error(`${label}: a repeated send was handled again`);
      }
      if (rng() < 0.02) {
        events.relayRestarts++;
        await relay.stop();
        relay = sender.relay(publishing, RELAY);
      }
      if (jetstream && rng() < 0.02) {
        events.receiverRestarts++;
        await sub.close();
        receiver = receiverApp(driverB, failsOnce);
        sub = await receiver.listen(receiving);
      }
      if (i === killAt) {
        events.brokerKills++;
        const broker = run.broker!;
        outage = (async () => {
          await broker.kill();
          await sleep(run.outageMs ?? 300);
          await broker.start();
        })();
      }
      if (i % 8 === 0) await sleep(1);
    }
    if (process.env.RIG_DEBUG) process.stderr.write(`${label} sent at ${Date.now() % 100000}\n`);
    await outage;
    if (process.env.RIG_DEBUG)
      process.stderr.write(`${label} outage over at ${Date.now() % 100000}\n`);
    await settle(plainA, driverB, run.orders, run.control === undefined ? 60_000 : 1_500);
  } finally {
    await relay.stop();
    await sub.close();
    if (shared !== undefined) await shared.close();
    else {
      await (ta as { close(): Promise<void> }).close();
      await (tb as { close(): Promise<void> }).close();
    }
  }
  return report(label, plainA, driverB, { ...events, ...faults }, started);
}

/** Reads what the run left (and closes the two drivers): the report of a run. */
export async function report(
  label: string,
  sender: Driver,
  receiver: Driver,
  events: Record<string, number>,
  started: number,
): Promise<RunReport> {
  const outcome = await outcomeOf(sender, receiver);
  await sender.close?.();
  await receiver.close?.();
  return { label, outcome, problems: problems(outcome), events, ms: Date.now() - started };
}

/** What the two ledgers and the sender's outbox hold. */
export async function outcomeOf(sender: Driver, receiver: Driver): Promise<Outcome> {
  return {
    accepted: await ordersIn(sender.ledger, 'OrderPlaced'),
    billed: await ordersIn(receiver.ledger, 'Billed'),
    shipped: await ordersIn(receiver.ledger, 'Shipped'),
    outbox: await sender.store.outbox!.counts(),
  };
}

/**
 * Waits until every accepted order was billed and shipped and the outbox is empty (or `timeoutMs`
 * passed: the checks then say what is missing), then a little longer for anything late.
 */
export async function settle(
  sender: Driver,
  receiver: Driver,
  expected: number,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await outcomeOf(sender, receiver);
    const t = totals(o);
    const done =
      t.accepted >= expected &&
      t.billed >= t.accepted &&
      t.shipped >= t.accepted &&
      o.outbox.outbox === 0;
    if (done || Date.now() > deadline) break; // the checks say what is missing
    await sleep(20);
  }
  await sleep(150); // a duplicate still in flight has the time to land (and be caught)
}
