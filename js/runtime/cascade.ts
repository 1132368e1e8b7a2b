/**
 * What follows a commit: event handlers react to the new events (their commands sent with the
 * event as cause), then the commands a receptor returned are sent, each one cascade deeper.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import {
  dispatchEnvelope,
  type Envelope,
  type EnvelopeOrigin,
  isTimed,
} from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import { chain, each, type MaybePromise } from '../util/maybe.ts';
import type { Flow, Outcome } from './flow.ts';
import type { Output } from './output.ts';
import type { Registry } from './registry.ts';

/** Sends a command one cascade deeper (the dispatcher's `command`). */
export type Send = (
  envelope: Envelope<Command>,
  flow: Flow | undefined,
  depth: number,
) => MaybePromise<Outcome>;

const done = (): undefined => undefined;

/** The cascades of one app. */
export class Cascade {
  readonly #registry: Registry;
  readonly #output: Output;
  readonly #send: Send;

  constructor(registry: Registry, output: Output, send: Send) {
    this.#registry = registry;
    this.#output = output;
    this.#send = send;
  }

  /**
   * After `parent`'s commit: handlers react to `events` (unless routed out of the process — an
   * `incoming` event came from another process and is handled here), then `commands` are sent.
   */
  follow(
    commands: readonly Command[],
    events: readonly RecordedEvent[] | undefined,
    parent: Envelope,
    flow: Flow | undefined,
    depth: number,
    incoming = false,
  ): MaybePromise<void> {
    const handlers = this.#registry.handlers;
    const reactions =
      events === undefined || handlers.size === 0
        ? undefined
        : each(events, (event) => this.#react(event, parent, flow, depth, incoming));
    if (commands.length === 0) return reactions;
    return chain(reactions, () =>
      each(commands, (c) => this.#dispatch(c, undefined, parent, flow, depth)),
    );
  }

  /**
   * Sends `command` one cascade deeper. In a flow handled once, it gets an id made from the flow's
   * and is handled once in a flow of its own: a redelivery that runs the cascade again skips it.
   */
  #dispatch(
    command: Command,
    origin: EnvelopeOrigin | undefined,
    parent: Envelope,
    flow: Flow | undefined,
    depth: number,
  ): MaybePromise<void> {
    const step = flow?.step;
    if (step === undefined) {
      return chain(
        this.#send(dispatchEnvelope(command, origin, parent, isTimed(parent)), flow, depth + 1),
        done,
      );
    }
    const messageId = step.nextId();
    const envelope = dispatchEnvelope(
      command,
      origin === undefined ? { messageId } : { ...origin, messageId },
      parent,
      isTimed(parent),
    );
    return chain(
      step.run(messageId, envelope, (child) => this.#send(envelope, child, depth + 1)),
      done,
    );
  }

  /** Whether {@link follow} would do anything for `events` (commands aside). */
  follows(events: readonly RecordedEvent[]): boolean {
    const handlers = this.#registry.handlers;
    if (handlers.size === 0) return false;
    for (const event of events) if (this.#reacts(event, false)) return true;
    return false;
  }

  /** Whether `event` has handlers here that react to it. */
  #reacts(event: RecordedEvent, incoming: boolean): boolean {
    if (!this.#registry.handlers.has(event.type)) return false;
    const routes = this.#registry.routes;
    const to = routes.size === 0 ? undefined : routes.get(event.type)?.to;
    // recorded (and sent), not handled here — unless it is the one that came in
    return incoming || (to !== 'outbox' && to !== 'ledger-only');
  }

  #react(
    event: RecordedEvent,
    parent: Envelope,
    flow: Flow | undefined,
    depth: number,
    incoming: boolean,
  ): MaybePromise<void> {
    if (!this.#reacts(event, incoming)) return;
    const list = this.#registry.handlers.get(event.type)!;
    return each(list, (handler) =>
      chain(handler(event, { tenant: event.tenant, event }), (output) =>
        this.#reacted(output, event, parent, flow, depth),
      ),
    );
  }

  /** Sends what an event handler returned, each command caused by the event. */
  #reacted(
    output: unknown,
    event: RecordedEvent,
    parent: Envelope,
    flow: Flow | undefined,
    depth: number,
  ): MaybePromise<void> {
    const decision = this.#output.sort(output, parent);
    if (decision.events.length > 0) {
      throw invalidArgument(
        `An event handler of "${event.type}" returned an event; handlers return commands, whose receptors record events.`,
      );
    }
    const origin = {
      correlationId: event.correlationId,
      causationId: event.messageId,
      tenant: event.tenant,
    };
    return each(decision.commands, (command) =>
      this.#dispatch(command, origin, parent, flow, depth),
    );
  }
}
