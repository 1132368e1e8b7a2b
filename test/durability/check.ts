/**
 * The rig's checks, on what the two ledgers hold at the end: every order the sender accepted was
 * billed and shipped exactly once (the whole effect), in order per customer stream, nothing was
 * dropped, and the sender's outbox is empty with no dead letters.
 */
import type { Ledger, OutboxCounts } from '../../js/mod.ts';
import type { Order } from './scenario.ts';

/** What the run left behind. */
export interface Outcome {
  /** Orders in the sender's ledger, by customer, in stream order. */
  readonly accepted: ReadonlyMap<number, readonly number[]>;
  /** Orders billed and shipped by the receiver, by customer, in stream order. */
  readonly billed: ReadonlyMap<number, readonly number[]>;
  readonly shipped: ReadonlyMap<number, readonly number[]>;
  /** The sender's outbox at the end. */
  readonly outbox: OutboxCounts;
}

/** The orders of `type` in `ledger`, by customer, in the order of their streams. */
export async function ordersIn(ledger: Ledger, type: string): Promise<Map<number, number[]>> {
  const byCustomer = new Map<number, number[]>();
  for (const event of await ledger.readAll()) {
    if (event.type !== type) continue;
    const { customer, seq } = event.data as Order;
    const list = byCustomer.get(customer) ?? [];
    list.push(seq);
    byCustomer.set(customer, list);
  }
  return byCustomer;
}

/** Totals of an outcome, for the report. */
export function totals(o: Outcome): { accepted: number; billed: number; shipped: number } {
  const count = (m: ReadonlyMap<number, readonly number[]>): number =>
    [...m.values()].reduce((n, list) => n + list.length, 0);
  return { accepted: count(o.accepted), billed: count(o.billed), shipped: count(o.shipped) };
}

/**
 * What is wrong with an outcome (nothing: an empty list). `mayDrop` allows effects to be missing
 * (core NATS is at most once on the wire), never doubled or out of order.
 */
export function problems(o: Outcome, mayDrop = false): string[] {
  const found: string[] = [];
  for (const [customer, seqs] of o.accepted) {
    const expected = seqs.map((_, i) => i + 1);
    if (seqs.join() !== expected.join()) {
      found.push(`sender stream customer-${customer} is ${seqs.join()}, not 1..${seqs.length}`);
    }
  }
  for (const [name, effects] of [
    ['billed', o.billed],
    ['shipped', o.shipped],
  ] as const) {
    for (const [customer, seqs] of effects) {
      const accepted = new Set(o.accepted.get(customer) ?? []);
      const seen = new Set<number>();
      for (let i = 0; i < seqs.length; i++) {
        const seq = seqs[i]!;
        if (seen.has(seq)) found.push(`customer ${customer}: order ${seq} ${name} twice`);
        if (!accepted.has(seq))
          found.push(`customer ${customer}: order ${seq} ${name}, never placed`);
        if (i > 0 && seq <= seqs[i - 1]!) {
          found.push(`customer ${customer}: ${name} out of order (${seqs[i - 1]} then ${seq})`);
        }
        seen.add(seq);
      }
    }
    if (mayDrop) continue;
    for (const [customer, seqs] of o.accepted) {
      const done = new Set(effects.get(customer) ?? []);
      const missing = seqs.filter((s) => !done.has(s));
      if (missing.length > 0) {
        found.push(`customer ${customer}: orders ${missing.join(', ')} never ${name}`);
      }
    }
  }
  if (o.outbox.outbox !== 0) found.push(`${o.outbox.outbox} records left in the sender's outbox`);
  if (o.outbox.deadLetters !== 0) found.push(`${o.outbox.deadLetters} dead letters`);
  return found;
}
