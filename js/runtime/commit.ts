/**
 * The one transaction of an append: the events, the inline perspectives that apply them, the outbox
 * records of events routed out of the process, and whatever the flow asks to run once (an inbox
 * mark). While an inline perspective is being rebuilt, appends wait at a gate.
 */
import type { Driver } from '../contracts/driver.ts';
import type {
  AppendOptions,
  AppendResult,
  ExpectedVersion,
  NewEvent,
} from '../contracts/ledger.ts';
import type { OutboxRecord } from '../contracts/outbox.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { Envelope } from '../messages/envelope.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import { Changes } from './changes.ts';
import type { Flow, InTransaction } from './flow.ts';
import { applyEvents } from './project.ts';
import type { Registry } from './registry.ts';
import { noOutbox, outboxRecord, wireEvent } from './wire.ts';

/** Runs `a` then `b` in one transaction (either may be absent). */
export function both(
  a: InTransaction | undefined,
  b: InTransaction | undefined,
): InTransaction | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return (recorded, tx) => chain(a(recorded, tx), () => b(recorded, tx));
}

/** Appends for one app. */
export class Committer {
  readonly #registry: Registry;
  readonly #driver: Driver;
  /** Inline-perspective work per single event type, made once. */
  readonly #inline = new Map<string, InTransaction | undefined>();
  readonly #rebuilding = new Set<Perspective>();
  #gate: Promise<void> | undefined;
  /** What live lenses hear of this app's commits. */
  readonly changes: Changes;

  constructor(registry: Registry, driver: Driver, changes?: Changes) {
    this.#registry = registry;
    this.#driver = driver;
    this.changes = changes ?? new Changes(driver.store, driver.ledger);
  }

  /**
   * Appends `events` to `stream` in one transaction with the inline perspectives, the outbox
   * records of routed events and the flow's once-work; `cause` is the message whose handling made
   * them. The flow learns the position and that its once-work ran.
   */
  append(
    stream: string,
    events: readonly NewEvent[],
    tenant: string,
    expectedVersion: ExpectedVersion,
    flow: Flow | undefined,
    cause: Envelope,
  ): MaybePromise<AppendResult> {
    if (this.#gate !== undefined) {
      return this.#gate.then(() =>
        this.append(stream, events, tenant, expectedVersion, flow, cause),
      );
    }
    const recorder = this.changes.recorder(
      events.length === 1 ? (this.#registry.inlineByType.get(events[0]!.type) ?? []) : undefined,
    );
    const work = this.inlineWork(events);
    const inline = recorder === undefined ? work : Changes.track(work, recorder);
    const routed = this.#registry.routes.size === 0 ? undefined : this.#outboxWork(cause);
    const once = flow?.once;
    const options: AppendOptions = {
      expectedVersion,
      tenant,
      inTransaction:
        once === undefined && routed === undefined ? inline : this.#all(inline, routed, once),
      cause,
    };
    const result = this.#driver.ledger.append(stream, events, options);
    if (flow === undefined && recorder === undefined) return result;
    if (isThenable<AppendResult>(result)) {
      return Promise.resolve(result).then((r) => {
        this.changes.committed(recorder, r.position);
        flow?.committed(r.position);
        return r;
      });
    }
    this.changes.committed(recorder, result.position);
    flow?.committed(result.position);
    return result;
  }

  /** Waits until no inline rebuild holds the gate. */
  opened(): Promise<void> | undefined {
    return this.#gate;
  }

  /**
   * Closes the gate for a rebuild of inline perspective `p`: appends wait, and once they go on
   * they skip `p` until the returned function reopens the gate.
   */
  closeFor(p: Perspective): () => void {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#gate = gate;
    this.#rebuilding.add(p);
    return () => {
      this.#rebuilding.delete(p);
      if (this.#gate === gate) this.#gate = undefined;
      release();
    };
  }

  /** The inline-perspective work of an append, made once per event type (anew for a mix of types). */
  inlineWork(events: readonly NewEvent[]): InTransaction | undefined {
    const byType = this.#registry.inlineByType;
    if (byType.size === 0) return undefined;
    if (this.#rebuilding.size === 0 && events.length === 1) {
      const type = events[0]!.type;
      if (this.#inline.has(type)) return this.#inline.get(type);
      const work = Committer.#work(byType.get(type) ?? []);
      this.#inline.set(type, work);
      return work;
    }
    const set = new Set<Perspective>();
    for (const e of events) {
      for (const p of byType.get(e.type) ?? []) if (!this.#rebuilding.has(p)) set.add(p);
    }
    return Committer.#work([...set]);
  }

  static #work(perspectives: Perspective[]): InTransaction | undefined {
    if (perspectives.length === 0) return undefined;
    return (recorded, tx) =>
      applyEvents(perspectives, recorded, tx, recorded[recorded.length - 1]!.position);
  }

  /** The outbox records of the recorded events routed out of the process. */
  #outboxWork(cause: Envelope): InTransaction {
    const routes = this.#registry.routes;
    return (recorded, tx) => {
      const records: OutboxRecord[] = [];
      for (const event of recorded) {
        const route = routes.get(event.type);
        if (route !== undefined && (route.to === 'outbox' || route.to === 'both')) {
          records.push(outboxRecord(route.topic, wireEvent(event, cause)));
        }
      }
      if (records.length === 0) return;
      if (tx.outbox === undefined) throw noOutbox(this.#driver.name);
      return tx.outbox.enqueue(records);
    };
  }

  #all(
    inline: InTransaction | undefined,
    routed: InTransaction | undefined,
    once: InTransaction | undefined,
  ): InTransaction | undefined {
    return both(both(inline, routed), once);
  }
}
