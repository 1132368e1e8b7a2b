/**
 * The memory transport: topics, wildcards, queue groups, redelivery and back-pressure inside one
 * process, and request/reply (see `./requests.ts`). Envelopes travel as JSON, as on a wire: every
 * delivery is a fresh copy, and what JSON cannot carry is refused at `publish`.
 * @example
 * const transport = memoryTransport({ maxInFlight: 256, redelivery: { attempts: 3 } });
 * transport.subscribe('orders.*', (envelope, topic) => bill(envelope), { queue: 'billing' });
 * await transport.publish('orders.placed', envelope);
 * @module
 */

import type {
  Transport,
  TransportHandler,
  TransportRequestOptions,
  TransportResponder,
  TransportSubscribeOptions,
  TransportSubscription,
  WireEnvelope,
} from '../contracts/transport.ts';
import { backoffSleep } from '../kit/backoff.ts';
import { checkQueue, checkTopic, topicMatches } from '../kit/topics.ts';
import { invalidArgument, WhizbangError, wholeOption } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { memoryRequests } from './requests.ts';

/** Receives an envelope whose handler failed on every attempt, with the last error. */
export type DeadLetterHandler = (
  envelope: WireEnvelope,
  topic: string,
  error: unknown,
) => MaybePromise<void>;

/** Options of {@link memoryTransport}. */
export interface MemoryTransportOptions {
  /** Envelopes a subscription may hold, the one in hand included, before `publish` waits (default 1024). */
  readonly maxInFlight?: number;
  /** How a failed delivery is tried again: the waits between tries and how many. */
  readonly redelivery?: {
    /** Deliveries of one envelope before it goes to the dead letter (default 5). */
    readonly attempts?: number;
    /** Wait before the first redelivery, doubling after each further failure (default 100 ms). */
    readonly backoffMs?: number;
  };
  /** Where envelopes go after the last failed attempt (default: dropped). Its errors are ignored. */
  readonly deadLetter?: DeadLetterHandler;
}

/** The memory transport subscribes synchronously, and answers requests. */
export interface MemoryTransport extends Transport {
  /** Delivers every envelope published on `topic` (wildcards allowed) to `handler`. */
  subscribe(
    topic: string,
    handler: TransportHandler,
    options?: TransportSubscribeOptions,
  ): TransportSubscription;
  /** Sends an envelope to the one responder of `topic` and resolves its reply. */
  request(
    topic: string,
    envelope: WireEnvelope,
    options?: TransportRequestOptions,
  ): Promise<unknown>;
  /** Answers requests on `topic` with what `responder` returns. */
  respond(
    topic: string,
    responder: TransportResponder,
    options?: TransportSubscribeOptions,
  ): TransportSubscription;
  /** Ends every subscription and waits for the envelopes in hand; later calls throw `CLOSED`. */
  close(): MaybePromise<void>;
}

/** An envelope on its way: encoded once at publish, decoded for each delivery. */
interface Item {
  readonly topic: string;
  readonly tokens: readonly string[];
  readonly json: string;
}

/** One `publish` that waits for room: it resolves when its last waiting item is admitted. */
interface Ticket {
  remaining: number;
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** A first-in first-out queue with O(1) removal from the front. */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;
  get size(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  peek(): T | undefined {
    return this.#items[this.#head];
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  drain(): T[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}

/** An envelope of a publish that waits for room. */
interface Waiting {
  readonly item: Item;
  readonly ticket: Ticket;
}

/** A queue group: its round-robin turn, and what waits for any member to have room. */
interface Group {
  readonly name: string;
  members: number;
  turn: number;
  readonly waiting: Waiting[];
}

interface Sub {
  readonly tokens: readonly string[];
  readonly handler: TransportHandler;
  readonly group: Group | undefined;
  /** Admitted envelopes; the first is in hand until its handler settles. */
  readonly admitted: Fifo<Item>;
  /** Envelopes that wait for room in this plain subscription, in publish order. */
  readonly waiting: Fifo<Waiting>;
  closed: boolean;
  running: Promise<void> | undefined;
  wake: (() => void) | undefined;
}

const matches = topicMatches;

function closedError(action: string): WhizbangError {
  return new WhizbangError(
    'CLOSED',
    `Cannot ${action}: this memory transport is closed. Create a new transport with memoryTransport().`,
  );
}

function encode(topic: string, envelope: WireEnvelope): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(envelope);
  } catch (error) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `The envelope published to "${topic}" cannot be sent as JSON (${error instanceof Error ? error.message : String(error)}). ` +
        'Keep message data JSON-safe: no BigInt, cycles or functions.',
      { cause: error },
    );
  }
  if (typeof envelope !== 'object' || envelope === null || json === undefined) {
    throw invalidArgument(
      `publish("${topic}", …) needs an envelope object, got ${String(envelope)}.`,
    );
  }
  return json;
}

function ticket(): Ticket {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { remaining: 0, promise, resolve, reject };
}

/** Creates a transport that delivers within this process. */
export function memoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const maxInFlight = wholeOption('maxInFlight', options.maxInFlight, 1024, 1);
  const attempts = wholeOption('redelivery.attempts', options.redelivery?.attempts, 5, 1);
  const backoffMs = options.redelivery?.backoffMs ?? 100;
  if (!Number.isFinite(backoffMs) || backoffMs < 0) {
    throw invalidArgument(`"redelivery.backoffMs" must be a number ≥ 0, got ${backoffMs}.`);
  }
  const { deadLetter } = options;
  if (deadLetter !== undefined && typeof deadLetter !== 'function') {
    throw invalidArgument('"deadLetter" must be a function (envelope, topic, error) => void.');
  }

  const subs: Sub[] = [];
  const groups = new Map<string, Group>();
  let closed = false;
  const requests = memoryRequests((action) => {
    if (closed) throw closedError(action);
  }, encode);

  const release = (t: Ticket): void => {
    if (--t.remaining === 0) t.resolve();
  };

  const deliver = async (sub: Sub, item: Item): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await sub.handler(JSON.parse(item.json) as WireEnvelope, item.topic);
        return;
      } catch (error) {
        if (sub.closed) return;
        if (attempt >= attempts) {
          try {
            await deadLetter?.(JSON.parse(item.json) as WireEnvelope, item.topic, error);
          } catch {
            // the dead letter is the last stop: nothing is left to report its failure to
          }
          return;
        }
      }
      await backoffSleep(sub, backoffMs * 2 ** (attempt - 1));
      if (sub.closed) return;
    }
  };

  const admit = (sub: Sub, item: Item): void => {
    sub.admitted.push(item);
    // a microtask later, so a handler never runs inside `publish`
    sub.running ??= Promise.resolve().then(() => run(sub));
  };

  /** Moves waiting envelopes in while there is room: its own, or its group's that it matches. */
  const refill = (sub: Sub): void => {
    if (sub.closed) return;
    if (sub.group === undefined) {
      while (sub.waiting.size > 0 && sub.admitted.size < maxInFlight) {
        const next = sub.waiting.shift()!;
        admit(sub, next.item);
        release(next.ticket);
      }
      return;
    }
    const { waiting } = sub.group;
    for (let i = 0; i < waiting.length && sub.admitted.size < maxInFlight; ) {
      const next = waiting[i]!;
      if (!matches(sub.tokens, next.item.tokens)) i++;
      else {
        waiting.splice(i, 1);
        admit(sub, next.item);
        release(next.ticket);
      }
    }
  };

  const run = async (sub: Sub): Promise<void> => {
    for (let item = sub.admitted.peek(); item !== undefined && !sub.closed; ) {
      await deliver(sub, item);
      sub.admitted.shift();
      refill(sub);
      item = sub.admitted.peek();
    }
    sub.running = undefined;
  };

  /** A plain subscription takes an envelope now only when nothing waits before it. */
  const hasRoom = (sub: Sub): boolean =>
    sub.admitted.size < maxInFlight && (sub.group !== undefined || sub.waiting.size === 0);

  const letGo = (waiting: readonly Waiting[], error: WhizbangError | undefined): void => {
    for (const w of waiting) {
      if (error === undefined) release(w.ticket);
      else w.ticket.reject(error);
    }
  };

  const end = (sub: Sub, error?: WhizbangError): Promise<void> | undefined => {
    if (sub.closed) return sub.running;
    sub.closed = true;
    subs.splice(subs.indexOf(sub), 1);
    sub.admitted.drain();
    letGo(sub.waiting.drain(), error);
    const { group } = sub;
    if (group !== undefined && --group.members === 0) groups.delete(group.name);
    if (group !== undefined) {
      // what no member left can take is let go, as if it had never matched
      const orphans = group.waiting.filter(
        (w) => !subs.some((s) => s.group === group && matches(s.tokens, w.item.tokens)),
      );
      for (const w of orphans) group.waiting.splice(group.waiting.indexOf(w), 1);
      letGo(orphans, error);
    }
    sub.wake?.();
    return sub.running;
  };

  return {
    name: 'memory',

    publish(topic: string, envelope: WireEnvelope): MaybePromise<void> {
      if (closed) throw closedError(`publish to "${topic}"`);
      const tokens = checkTopic(topic, 'publish');
      const item: Item = { topic, tokens, json: encode(topic, envelope) };
      let waits: Ticket | undefined;
      const wait = (queue: { push(w: Waiting): unknown }): void => {
        waits ??= ticket();
        waits.remaining++;
        queue.push({ item, ticket: waits });
      };
      let offered: Map<Group, Sub[]> | undefined;
      for (const sub of subs) {
        if (!matches(sub.tokens, tokens)) continue;
        if (sub.group === undefined) {
          if (hasRoom(sub)) admit(sub, item);
          else wait(sub.waiting);
        } else {
          offered ??= new Map();
          const members = offered.get(sub.group);
          if (members === undefined) offered.set(sub.group, [sub]);
          else members.push(sub);
        }
      }
      for (const [group, members] of offered ?? []) {
        // round-robin, passing over full members; when all are full, the first to have room takes it
        const turn = group.turn++;
        let chosen: Sub | undefined;
        for (let i = 0; i < members.length && chosen === undefined; i++) {
          const member = members[(turn + i) % members.length]!;
          if (hasRoom(member)) chosen = member;
        }
        if (chosen === undefined) wait(group.waiting);
        else admit(chosen, item);
      }
      return waits?.promise;
    },

    subscribe(
      topic: string,
      handler: TransportHandler,
      subscribeOptions: TransportSubscribeOptions = {},
    ): TransportSubscription {
      if (closed) throw closedError(`subscribe to "${topic}"`);
      const tokens = checkTopic(topic, 'subscribe');
      if (typeof handler !== 'function') {
        throw invalidArgument(`subscribe("${topic}", …) needs a handler function.`);
      }
      const name = subscribeOptions.queue;
      checkQueue(name);
      let group: Group | undefined;
      if (name !== undefined) {
        group = groups.get(name) ?? { name, members: 0, turn: 0, waiting: [] };
        groups.set(name, group);
        group.members++;
      }
      const sub: Sub = {
        tokens,
        handler,
        group,
        admitted: new Fifo(),
        waiting: new Fifo(),
        closed: false,
        running: undefined,
        wake: undefined,
      };
      subs.push(sub);
      refill(sub);
      return {
        close(): void {
          end(sub);
        },
      };
    },

    request: requests.request,
    respond: requests.respond,

    close(): MaybePromise<void> {
      if (closed) return;
      closed = true;
      requests.close();
      const error = new WhizbangError(
        'CLOSED',
        'The memory transport closed while this publish waited for room in a subscription; the envelope was not delivered to it.',
      );
      const running = [...subs].map((sub) => end(sub, error)).filter((p) => p !== undefined);
      if (running.length > 0) return Promise.all(running).then(() => undefined);
    },
  };
}
