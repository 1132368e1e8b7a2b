/**
 * Routing: a command goes to its receptor here, to the outbox, to both, or to a receptor in
 * another process; a published event is appended and fans out. Whatever is decided cascades.
 */
import type { ExpectedVersion, Ledger, NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import type { Receptor } from '../definitions/receptor.ts';
import { checkStreamId } from '../kit/checks.ts';
import { type Envelope, endHop, type Place, startHop } from '../messages/envelope.ts';
import { type Command, type Event, validate } from '../messages/message.ts';
import { isWhizbangError, WhizbangError } from '../util/errors.ts';
import { chain, each, isThenable, type MaybePromise } from '../util/maybe.ts';
import { Cascade } from './cascade.ts';
import type { Committer } from './commit.ts';
import type { Decider } from './decide.ts';
import type { Enqueue } from './enqueue.ts';
import type { Flow, Outcome } from './flow.ts';
import type { Continuation, Rest } from './inbox.ts';
import { invokeRemote, type RequestLine } from './invoke.ts';
import type { Observation } from './observe.ts';
import type { Decision, Output } from './output.ts';
import type { Registry, Route } from './registry.ts';

/** What a dispatcher routes with. */
export interface DispatcherParts {
  readonly registry: Registry;
  /** The ledger as the app reads it: where a handling resumed after a failure finds its events. */
  readonly ledger: Ledger;
  /** The app's name, recorded on hops. */
  readonly service: string;
  readonly maxCascadeDepth: number;
  readonly decider: Decider;
  readonly output: Output;
  readonly commit: Committer;
  readonly enqueue: Enqueue;
  readonly observation: Observation;
  readonly requests: RequestLine;
}

const NO_COMMANDS: readonly Command[] = [];

/** What a command type is dispatched to in this app, looked up once. */
interface Plan {
  readonly type: string;
  readonly receptor: Receptor | undefined;
  /** Where its receptor's step happens. */
  readonly place: Place;
}

/** Routes one app's messages. */
export class Dispatcher implements Continuation {
  readonly #registry: Registry;
  readonly #ledger: Ledger;
  readonly #service: string;
  readonly #maxDepth: number;
  readonly #decider: Decider;
  readonly #output: Output;
  readonly #commit: Committer;
  readonly #enqueue: Enqueue;
  readonly #observation: Observation;
  readonly #requests: RequestLine;
  readonly #cascade: Cascade;
  readonly #plans = new Map<string, Plan>();
  #last: Plan | undefined;
  #revision = -1;

  constructor(parts: DispatcherParts) {
    this.#registry = parts.registry;
    this.#ledger = parts.ledger;
    this.#service = parts.service;
    this.#maxDepth = parts.maxCascadeDepth;
    this.#decider = parts.decider;
    this.#output = parts.output;
    this.#commit = parts.commit;
    this.#enqueue = parts.enqueue;
    this.#observation = parts.observation;
    this.#requests = parts.requests;
    this.#cascade = new Cascade(parts.registry, parts.output, (e, f, d) => this.command(e, f, d));
  }

  /** Handles a command; `flow` collects the newest position written by it and its cascade. */
  command(
    envelope: Envelope<Command>,
    flow: Flow | undefined,
    depth: number,
  ): MaybePromise<Outcome> {
    const type = envelope.message.type;
    const plan = this.#plan(type);
    const receptor = plan.receptor;
    const routes = this.#registry.routes;
    const route = routes.size === 0 ? undefined : routes.get(type);
    if (depth > this.#maxDepth) throw this.#tooDeep(envelope);
    if (route === undefined || route.to === 'local') {
      if (receptor === undefined) throw this.#noHandler(type);
      return this.#local(receptor, plan.place, envelope, flow, depth);
    }
    return this.#routed(receptor, plan.place, route, envelope, flow, depth);
  }

  /** A command with a route: invoked remotely, written to the outbox, or both handled here and written. */
  #routed(
    receptor: Receptor | undefined,
    place: Place,
    route: Route,
    envelope: Envelope<Command>,
    flow: Flow | undefined,
    depth: number,
  ): MaybePromise<Outcome> {
    if (route.to === 'remote' && receptor === undefined) {
      const invoked = invokeRemote(this.#requests.transport, this.#service, envelope, route);
      if (flow?.step === undefined) return invoked;
      // sent again after a failure half way: the other side's inbox knows it, so it was done
      return invoked.catch((error: unknown) => {
        if (isWhizbangError(error, 'DUPLICATE_MESSAGE'))
          return { value: undefined, append: undefined };
        throw error;
      });
    }
    if (route.to === 'outbox' || (route.to === 'both' && receptor === undefined)) {
      return this.#enqueue.command(envelope, route.topic, flow);
    }
    if (receptor === undefined) throw this.#noHandler(envelope.message.type);
    const local = this.#local(receptor, place, envelope, flow, depth);
    if (route.to !== 'both') return local;
    return chain(local, (outcome) => chain(this.#forward(envelope, route, flow), () => outcome));
  }

  /** The copy of a command routed to 'both' that goes out, once in a flow handled once. */
  #forward(
    envelope: Envelope<Command>,
    route: Route,
    flow: Flow | undefined,
  ): MaybePromise<unknown> {
    const step = flow?.step;
    if (step === undefined) return this.#enqueue.command(envelope, route.topic);
    return step.run(step.nextId(), envelope, (child) =>
      this.#enqueue.command(envelope, route.topic, child),
    );
  }

  /** Whether anything follows an append by `envelope`'s handling besides its commands. */
  follows(envelope: Envelope, recorded: readonly RecordedEvent[]): boolean {
    return this.#cascade.follows(recorded) || this.#routedBoth(envelope);
  }

  /** Does what is left of a handling that stopped after its append: its cascade, its copy out. */
  resume(rest: Rest, envelope: Envelope, flow: Flow): MaybePromise<void> {
    const events =
      rest.stream === undefined
        ? undefined
        : this.#ledger.readStream(rest.stream, {
            tenant: envelope.tenant,
            ...(rest.from === undefined ? {} : { from: rest.from }),
            ...(rest.to === undefined ? {} : { to: rest.to }),
          });
    return chain(events, (recorded) =>
      chain(
        this.#cascade.follow(rest.commands as readonly Command[], recorded, envelope, flow, 0),
        () => {
          if (!this.#routedBoth(envelope)) return;
          const route = this.#registry.routes.get(envelope.message.type)!;
          return chain(this.#forward(envelope as Envelope<Command>, route, flow), () => undefined);
        },
      ),
    );
  }

  #routedBoth(envelope: Envelope): boolean {
    const routes = this.#registry.routes;
    return (
      envelope.message.kind === 'command' &&
      routes.size > 0 &&
      routes.get(envelope.message.type)?.to === 'both'
    );
  }

  /**
   * Handles an event that came in from another process: its handlers react here (even when it is
   * routed out of this one) and what they send cascades.
   */
  incoming(event: RecordedEvent, envelope: Envelope, flow: Flow): MaybePromise<void> {
    return this.#cascade.follow(NO_COMMANDS, [event], envelope, flow, 0, true);
  }

  /** Appends events to a stream in one transaction (publish), then fans them out. */
  publish(
    envelopes: ReadonlyArray<Envelope<Event>>,
    stream: string,
    expectedVersion: ExpectedVersion,
    flow: Flow,
  ): MaybePromise<Outcome> {
    checkStreamId(stream);
    const first = envelopes[0]!;
    const work = (): MaybePromise<Outcome> =>
      this.#publish(envelopes, stream, expectedVersion, flow);
    return this.#observation.active ? this.#observation.observe(first, work) : work();
  }

  #publish(
    envelopes: ReadonlyArray<Envelope<Event>>,
    stream: string,
    expectedVersion: ExpectedVersion,
    flow: Flow,
  ): MaybePromise<Outcome> {
    const first = envelopes[0]!;
    const hop = startHop(first, 'ledger', this.#service, stream);
    const schemas = this.#registry.eventSchemas;
    const validated = each(envelopes, (e) =>
      chain(validate(e.message, schemas.get(e.message.type)), () => undefined),
    );
    return chain(validated, () => {
      const events: NewEvent[] = envelopes.map((e) => {
        const version = this.#output.versioned(e.message.type);
        return {
          type: e.message.type,
          data: e.message.data,
          messageId: e.messageId,
          correlationId: e.correlationId,
          causationId: e.causationId,
          timestamp: e.timestamp,
          ...(version === undefined ? {} : { metadata: version }),
        };
      });
      return chain(
        this.#commit.append(stream, events, first.tenant, expectedVersion, flow, first),
        (append) => {
          endHop(hop);
          const outcome: Outcome = { value: undefined, append };
          return chain(
            this.#cascade.follow(NO_COMMANDS, append.events, first, flow, 0),
            () => outcome,
          );
        },
      );
    });
  }

  /** Decides a command here, then lets what it decided cascade (observed when anyone observes). */
  #local(
    receptor: Receptor,
    place: Place,
    envelope: Envelope<Command>,
    flow: Flow | undefined,
    depth: number,
  ): MaybePromise<Outcome> {
    if (this.#observation.active) return this.#observed(receptor, place, envelope, flow, depth);
    const decision = this.#decider.decide(receptor, place, envelope, flow);
    if (isThenable<Decision>(decision)) return this.#followLater(decision, envelope, flow, depth);
    return this.#follow(decision, envelope, flow, depth);
  }

  // Closures live in methods of their own: a function that makes one allocates the variables it
  // captures on every call, even where it takes the synchronous path.

  #followLater(
    decision: PromiseLike<Decision>,
    envelope: Envelope,
    flow: Flow | undefined,
    depth: number,
  ): Promise<Outcome> {
    return Promise.resolve(decision).then((d) => this.#follow(d, envelope, flow, depth));
  }

  #observed(
    receptor: Receptor,
    place: Place,
    envelope: Envelope<Command>,
    flow: Flow | undefined,
    depth: number,
  ): MaybePromise<Outcome> {
    return this.#observation.observe(envelope, () =>
      chain(this.#decider.decide(receptor, place, envelope, flow), (d) => {
        const events = d.append?.events;
        if (events !== undefined) this.#observation.committed(envelope, events);
        return this.#follow(d, envelope, flow, depth);
      }),
    );
  }

  #follow(
    decision: Decision,
    envelope: Envelope,
    flow: Flow | undefined,
    depth: number,
  ): MaybePromise<Outcome> {
    const events = decision.append?.events;
    if (
      flow?.quiet === true ||
      (decision.commands.length === 0 &&
        (events === undefined || this.#registry.handlers.size === 0))
    ) {
      return decision;
    }
    return chain(
      this.#cascade.follow(decision.commands, events, envelope, flow, depth),
      () => decision,
    );
  }

  /** The plan of a command type (made again after a receptor was registered). */
  #plan(type: string): Plan {
    const registry = this.#registry;
    if (this.#revision !== registry.revision) {
      this.#plans.clear();
      this.#last = undefined;
      this.#revision = registry.revision;
    }
    // the same type again (the common case in a loop) is found without a lookup
    const last = this.#last;
    if (last !== undefined && last.type === type) return last;
    let plan = this.#plans.get(type);
    if (plan === undefined) {
      const place = { where: `receptor:${type}`, service: this.#service };
      plan = { type, receptor: registry.receptors.get(type), place };
      this.#plans.set(type, plan);
    }
    this.#last = plan;
    return plan;
  }

  #noHandler(type: string): WhizbangError {
    return new WhizbangError(
      'NO_HANDLER',
      `No receptor handles "${type}". Register one with whizbang().receptor(defineReceptor({ command: ${type}, … })), or route it out with .route(${type}, { to: 'outbox' }).`,
    );
  }

  #tooDeep(envelope: Envelope): WhizbangError {
    return new WhizbangError(
      'CASCADE_TOO_DEEP',
      `"${envelope.message.type}" is ${this.#maxDepth + 1} cascades deep (correlation ${envelope.correlationId}). ` +
        'A receptor or event handler probably sends a command that leads back to itself; break the loop or raise maxCascadeDepth.',
    );
  }
}
