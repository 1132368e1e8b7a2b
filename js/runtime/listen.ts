/**
 * `app.listen(transport)`: takes this app's commands and events from a transport, each handled
 * once (the inbox), and answers invocations of its receptors from other processes.
 */
import { invokeTopic, topicFor } from '../contracts/outbox.ts';
import type { Transport, TransportSubscription, WireEnvelope } from '../contracts/transport.ts';
import type { Envelope } from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { invalidArgument, isWhizbangError, WhizbangError } from '../util/errors.ts';
import { attempt, chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import type { Dispatcher } from './dispatcher.ts';
import { HANDLED_BEFORE, type Inbox } from './inbox.ts';
import type { RequestLine } from './invoke.ts';
import type { Registry } from './registry.ts';
import type { ListenOptions } from './types.ts';
import { fromWire, recordedFromWire } from './wire.ts';

/** The topic this app takes a message of `type` on: its route's, or `whizbang.<kind>s.<type>`. */
function topicOf(registry: Registry, kind: 'command' | 'event', type: string): string {
  const route = registry.routes.get(type);
  return route !== undefined && route.to !== 'remote' ? route.topic : topicFor(kind, type);
}

const INVOKE_PREFIX = invokeTopic('');

/**
 * Whether this app answers an invocation of `type` on `topic`: not when the topic is another
 * type's (`whizbang.invoke.<other>`, or another command's route); a topic of the app's own
 * choosing (`invokeTopics`) that names no type answers any of its commands.
 */
function invokedOn(registry: Registry, type: string, topic: string): boolean {
  const route = registry.routes.get(type);
  if (topic === invokeTopic(type) || route?.topic === topic) return true;
  if (topic.startsWith(INVOKE_PREFIX)) return false;
  for (const [other, r] of registry.routes) if (other !== type && r.topic === topic) return false;
  return true;
}

/** The topics an app takes by default: its receptors' commands and its handlers' events (not its own). */
function defaultTopics(registry: Registry): string[] {
  const topics = new Set<string>();
  for (const type of registry.receptors.keys()) topics.add(topicOf(registry, 'command', type));
  for (const type of registry.handlers.keys()) {
    const route = registry.routes.get(type);
    if (route?.to === 'outbox' || route?.to === 'both') continue; // it sends these itself
    topics.add(route?.topic ?? topicFor('event', type));
  }
  return [...topics];
}

/** Refuses a message that arrived on a topic its type is not routed to here. */
function notRouted(wire: WireEnvelope, topic: string, expected: string): WhizbangError {
  return invalidArgument(
    `A ${String(wire.message?.kind)} "${String(wire.message?.type)}" (message ${wire.messageId}) arrived on "${topic}", but this app takes it only on "${expected}"; it was not handled. ` +
      `Publish it on "${expected}", or route it here with .route(${String(wire.message?.type)}, { to: 'local', topic: '${topic}' }).`,
  );
}

function handledAlready(wire: WireEnvelope): WhizbangError {
  return new WhizbangError(
    'DUPLICATE_MESSAGE',
    `Command ${wire.messageId} ("${wire.message.type}") was handled already (the inbox remembers it), so it was not handled again; its result is not kept. Read what it did from the ledger (correlation ${wire.correlationId}) instead of invoking it again.`,
  );
}

/** Takes messages from transports for one app. */
export class Listener {
  readonly #registry: Registry;
  readonly #dispatcher: Dispatcher;
  readonly #inbox: Inbox;
  readonly #requests: RequestLine;
  readonly #service: string;
  /** Invocations being answered, by tenant and message id. */
  readonly #answering = new Map<string, Promise<unknown>>();

  constructor(
    registry: Registry,
    dispatcher: Dispatcher,
    inbox: Inbox,
    requests: RequestLine,
    service: string,
  ) {
    this.#registry = registry;
    this.#dispatcher = dispatcher;
    this.#inbox = inbox;
    this.#requests = requests;
    this.#service = service;
  }

  /** Subscribes to `transport` as `app.listen` documents. */
  async listen(transport: Transport, options: ListenOptions = {}): Promise<TransportSubscription> {
    const queue = options.queue ?? this.#service;
    const topics = options.topics ?? defaultTopics(this.#registry);
    const invokeTopics =
      options.invokeTopics ?? [...this.#registry.receptors.keys()].map((type) => invokeTopic(type));
    const { respond } = transport;
    if (respond === undefined && options.invokeTopics !== undefined && invokeTopics.length > 0) {
      throw invalidArgument(
        `The "${transport.name}" transport does not carry requests, so this app cannot answer invocations on it; leave out invokeTopics, or use a transport with request/reply (memory, NATS).`,
      );
    }
    const subscriptions = await Promise.all([
      ...topics.map((topic) =>
        transport.subscribe(topic, (wire, at) => this.receive(wire, at), { queue }),
      ),
      ...(respond === undefined
        ? []
        : invokeTopics.map((topic) =>
            respond.call(transport, topic, (wire, at) => this.answer(wire, at), { queue }),
          )),
    ]);
    // the newest transport that carries requests takes this app's 'remote' invocations
    if (transport.request !== undefined) this.#requests.use(transport);
    const requests = this.#requests;
    return {
      async close() {
        requests.release(transport);
        await Promise.all(subscriptions.map((s) => s.close()));
      },
    };
  }

  /**
   * Handles a message from a transport once (its whole effect), continuing its correlation and
   * trace. A message that arrived on another topic than the one its type is routed to here (given
   * as `topic`) is refused with `INVALID_ARGUMENT`, and nothing of it runs.
   */
  receive(wire: WireEnvelope, topic?: string): MaybePromise<void> {
    const kind = wire.message?.kind;
    if (topic !== undefined && (kind === 'command' || kind === 'event')) {
      const expected = topicOf(this.#registry, kind, wire.message.type);
      if (topic !== expected) throw notRouted(wire, topic, expected);
    }
    const handled = attempt(
      () => {
        const envelope = fromWire(wire);
        return this.#inbox.once(wire.messageId, envelope, (flow) =>
          wire.message.kind === 'command'
            ? chain(
                this.#dispatcher.command(envelope as Envelope<Command>, flow, 0),
                () => undefined,
              )
            : this.#dispatcher.incoming(recordedFromWire(wire), envelope, flow),
        );
      },
      (error) => {
        if (isWhizbangError(error, 'DUPLICATE_MESSAGE')) return; // another delivery won the race
        throw error;
      },
    );
    return chain(handled, () => undefined);
  }

  /**
   * Answers an invocation from another process with what the receptor returned. A request whose
   * message id was handled already fails with `DUPLICATE_MESSAGE` (results are not kept); one
   * that arrives while the first is being answered here waits for it, then fails so too (or
   * runs, when the first failed).
   */
  answer(wire: WireEnvelope, topic?: string): MaybePromise<unknown> {
    if (wire.message?.kind !== 'command') {
      throw invalidArgument(
        `Only commands are invoked; a request carried a ${String(wire.message?.kind)} ("${wire.message?.type}").`,
      );
    }
    if (topic !== undefined && !invokedOn(this.#registry, wire.message.type, topic)) {
      throw notRouted(wire, topic, invokeTopic(wire.message.type));
    }
    const key = `${wire.tenant}\u0000${wire.messageId}`;
    const first = this.#answering.get(key);
    if (first !== undefined) {
      return first.then(
        () => {
          throw handledAlready(wire);
        },
        () => this.answer(wire, topic),
      );
    }
    const answered = this.#answer(wire);
    if (!isThenable(answered)) return answered;
    const running = Promise.resolve(answered);
    this.#answering.set(key, running);
    const done = (): void => {
      this.#answering.delete(key);
    };
    running.then(done, done);
    return running;
  }

  #answer(wire: WireEnvelope): MaybePromise<unknown> {
    const answered = attempt(
      () => {
        const envelope = fromWire(wire) as Envelope<Command>;
        return this.#inbox.once(wire.messageId, envelope, (flow) =>
          chain(this.#dispatcher.command(envelope, flow, 0), (o) => o.value),
        );
      },
      (error) => {
        if (isWhizbangError(error, 'DUPLICATE_MESSAGE')) throw handledAlready(wire);
        throw error;
      },
    );
    return chain(answered, (value) => {
      if (value === HANDLED_BEFORE) throw handledAlready(wire);
      return value;
    });
  }
}
