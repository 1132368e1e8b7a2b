/**
 * The public dispatcher of an app: `send`, `sendMany`, `localInvoke`, `localInvokeAndSync`,
 * `publish` and `publishMany` — envelopes made from their options, receipts made from what
 * happened. A `localInvoke` that nothing outside it can see (no observers, policies or routes for
 * its command) reads no clock until something does.
 */

import { dispatchEnvelope, type Envelope } from '../messages/envelope.ts';
import type { Event, Message } from '../messages/message.ts';
import { type Command, isMessage } from '../messages/message.ts';
import { ForbiddenError, invalidArgument } from '../util/errors.ts';
import { parseTraceparent } from '../util/ids.ts';
import { chain, isThenable, type MaybePromise } from '../util/maybe.ts';
import type { Dispatcher } from './dispatcher.ts';
import { DUPLICATE, Flow, type Outcome } from './flow.ts';
import { HANDLED_BEFORE, type Inbox } from './inbox.ts';
import type { Observation } from './observe.ts';
import { actAs, checkPrincipal } from './principal.ts';
import type { Registry } from './registry.ts';
import type { DeliveryReceipt, PublishOptions, SendOptions, SyncOptions } from './types.ts';

/** Wraps a message from a caller in an envelope, checking it is a message at all. */
export function envelopeFor<M extends Message>(
  message: M,
  options: SendOptions | undefined,
  streamId: string | undefined,
  timed: boolean,
): Envelope<M> {
  if (!isMessage(message)) {
    throw invalidArgument(
      `Expected a message ({ kind, type, data }) made by a definition, got ${JSON.stringify(message)}.`,
    );
  }
  if (options === undefined) {
    return dispatchEnvelope(
      message,
      streamId === undefined ? undefined : { streamId },
      undefined,
      timed,
    );
  }
  const trace =
    options.traceparent === undefined ? undefined : parseTraceparent(options.traceparent);
  const principal = options.principal === undefined ? undefined : checkPrincipal(options.principal);
  if (principal !== undefined && (options.tenant ?? principal.tenant) !== principal.tenant) {
    throw new ForbiddenError(
      principal.userId,
      `User ${principal.userId} acts in "${principal.tenant}" only.`,
    );
  }
  const origin = {
    ...options,
    ...(trace === undefined ? {} : { traceId: trace.traceId }),
    ...(streamId === undefined ? {} : { streamId }),
    ...(principal === undefined ? {} : { tenant: principal.tenant }),
  };
  const envelope = dispatchEnvelope(message, origin, undefined, timed);
  if (principal !== undefined) actAs(envelope, principal);
  return envelope;
}

function receipt(envelope: Envelope, outcome: Outcome, flow: Flow): DeliveryReceipt {
  const append = outcome.append;
  return {
    messageId: envelope.messageId,
    correlationId: envelope.correlationId,
    type: envelope.message.type,
    status:
      outcome.duplicate === true ? 'duplicate' : outcome.queued === true ? 'queued' : 'handled',
    streamId: append?.streamId ?? envelope.streamId,
    version: append === undefined ? undefined : append.version,
    position: flow.position,
    events: append === undefined ? 0 : append.events.length,
    envelope,
  };
}

/** The receipt once an awaited outcome settles (a function of its own: see `#send`). */
function receiptLater(
  outcome: PromiseLike<Outcome>,
  envelope: Envelope,
  flow: Flow,
): Promise<DeliveryReceipt> {
  return Promise.resolve(outcome).then((o) => receipt(envelope, o, flow));
}

const valueOfOutcome = (outcome: Outcome): unknown => outcome.value;

/** The dispatch methods of one app. */
export class Sender {
  readonly #dispatcher: Dispatcher;
  readonly #registry: Registry;
  readonly #observation: Observation;
  readonly #inbox: Inbox;
  readonly #open: () => void;
  readonly #waitForPerspectives: (position: number, timeoutMs: number) => Promise<void>;
  /** Whether anything could see a dispatch (observers, routes), as of `#revision`. */
  #watched = true;
  #revision = -1;

  constructor(
    dispatcher: Dispatcher,
    registry: Registry,
    observation: Observation,
    inbox: Inbox,
    open: () => void,
    waitForPerspectives: (position: number, timeoutMs: number) => Promise<void>,
  ) {
    this.#dispatcher = dispatcher;
    this.#registry = registry;
    this.#observation = observation;
    this.#inbox = inbox;
    this.#open = open;
    this.#waitForPerspectives = waitForPerspectives;
  }

  /** Sends a command; resolves with its receipt. */
  send(command: Command, options: SendOptions | undefined): Promise<DeliveryReceipt> {
    try {
      return Promise.resolve(this.#send(command, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Sends commands one after another; stops at the first failure. Given a `messageId`, the i-th
   * command's id is `<messageId>#<i>`, so the batch sent again is handled once.
   */
  async sendMany(
    commands: readonly Command[],
    options: SendOptions | undefined,
  ): Promise<DeliveryReceipt[]> {
    const receipts: DeliveryReceipt[] = [];
    const id = options?.messageId;
    for (let i = 0; i < commands.length; i++) {
      const each = id === undefined ? options : { ...options, messageId: `${id}#${i}` };
      receipts.push(await this.#send(commands[i]!, each));
    }
    return receipts;
  }

  /** Calls the command's one receptor; resolves with what it returned. */
  localInvoke(command: Command, options: SendOptions | undefined): Promise<unknown> {
    try {
      this.#open();
      const envelope = envelopeFor(command, options, undefined, this.#seen());
      const outcome = this.#dispatcher.command(envelope, undefined, 0);
      return isThenable<Outcome>(outcome)
        ? Promise.resolve(outcome).then(valueOfOutcome)
        : Promise.resolve(outcome.value);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** `localInvoke`, then waits until async perspectives have applied everything it caused. */
  async localInvokeAndSync(command: Command, options: SyncOptions = {}): Promise<unknown> {
    this.#open();
    const flow = new Flow();
    const envelope = envelopeFor(command, options, undefined, this.#seen());
    const outcome = await this.#dispatcher.command(envelope, flow, 0);
    if (flow.position > 0)
      await this.#waitForPerspectives(flow.position, options.timeoutMs ?? 5000);
    return outcome.value;
  }

  /** Appends events to one stream in one transaction, then fans them out. */
  publish(events: readonly Event[], options: PublishOptions): Promise<DeliveryReceipt> {
    try {
      return Promise.resolve(this.#publish(events, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #send(command: Command, options: SendOptions | undefined): MaybePromise<DeliveryReceipt> {
    this.#open();
    const envelope = envelopeFor(command, options, undefined, true) as Envelope<Command>;
    // a command with an id of its own is handled once by it, where the driver keeps an inbox
    if (options?.messageId !== undefined && this.#inbox.kept) return this.#sendOnce(envelope);
    const flow = new Flow();
    const outcome = this.#dispatcher.command(envelope, flow, 0);
    if (!isThenable<Outcome>(outcome)) return receipt(envelope, outcome, flow);
    return receiptLater(outcome, envelope, flow);
  }

  #sendOnce(envelope: Envelope<Command>): MaybePromise<DeliveryReceipt> {
    let root: Flow | undefined;
    const outcome = this.#inbox.once(envelope.messageId, envelope, (flow) => {
      root = flow;
      return this.#dispatcher.command(envelope, flow, 0);
    });
    return chain(outcome, (o) =>
      o === HANDLED_BEFORE
        ? receipt(envelope, DUPLICATE, new Flow())
        : receipt(envelope, o, root ?? new Flow()),
    );
  }

  #publish(events: readonly Event[], options: PublishOptions): MaybePromise<DeliveryReceipt> {
    this.#open();
    if (options === undefined || typeof options.stream !== 'string') {
      throw invalidArgument(
        'publish needs options with `stream`: the stream the event is appended to.',
      );
    }
    if (events.length === 0) throw invalidArgument('publishMany needs at least one event.');
    const first = envelopeFor(events[0]!, options, options.stream, true);
    const rest = { ...options, correlationId: first.correlationId, causationId: first.causationId };
    const envelopes = events.map((e, i) =>
      i === 0 ? first : envelopeFor(e, rest, options.stream, true),
    ) as Envelope<Event>[];
    const flow = new Flow();
    return chain(
      this.#dispatcher.publish(envelopes, options.stream, options.expectedVersion ?? 'any', flow),
      (outcome) => receipt(first, outcome, flow),
    );
  }

  /**
   * Whether an invoke can be seen from its start (observers, routes): its times are taken from the
   * start then, and otherwise only once something sees it (a policy recording a decision, say).
   */
  #seen(): boolean {
    const registry = this.#registry;
    if (this.#revision !== registry.revision) {
      this.#revision = registry.revision;
      this.#watched = this.#observation.active || registry.routes.size > 0;
    }
    return this.#watched;
  }
}
