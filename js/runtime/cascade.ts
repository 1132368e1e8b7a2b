/**
 * What follows a commit: event handlers react to the new events (their commands sent with the
 * event as cause), then the commands a receptor returned are sent, each one cascade deeper.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import { dispatchEnvelope, type Envelope, isTimed } from '../messages/envelope.ts';
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
      each(commands, (c) =>
        chain(
          this.#send(dispatchEnvelope(c, undefined, parent, isTimed(parent)), flow, depth + 1),
          done,
        ),
      ),
    );
  }

  #react(
    event: RecordedEvent,
    parent: Envelope,
    flow: Flow | undefined,
    depth: number,
    incoming: boolean,
  ): MaybePromise<void> {
    const list = this.#registry.handlers.get(event.type);
    if (list === undefined) return;
    const routes = this.#registry.routes;
    const to = routes.size === 0 ? undefined : routes.get(event.type)?.to;
    // recorded (and sent), not handled here — unless it is the one that came in
    if (!incoming && (to === 'outbox' || to === 'ledger-only')) return;
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
      chain(
        this.#send(dispatchEnvelope(command, origin, parent, isTimed(parent)), flow, depth + 1),
        done,
      ),
    );
  }
}
