/**
 * The dispatcher and everything it drives: receptors, the ledger append with inline perspectives,
 * cascades, event handlers and async perspectives. Synchronous end to end while nothing awaits:
 * each step checks for a promise and only then goes asynchronous.
 */

import type { Driver } from '../contracts/driver.ts';
import type {
  AppendOptions,
  AppendResult,
  ExpectedVersion,
  Ledger,
  NewEvent,
  RecordedEvent,
  SyncMark,
} from '../contracts/ledger.ts';
import type { Observer } from '../contracts/observer.ts';
import type { OutboxRecord } from '../contracts/outbox.ts';
import type { Transport, WireEnvelope } from '../contracts/transport.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { Attempt } from '../definitions/policy.ts';
import {
  isReply,
  type Receptor,
  type ReceptorContext,
  type StateDefinition,
} from '../definitions/receptor.ts';
import { checkStreamId } from '../kit/checks.ts';
import { createEnvelope, type Envelope, endHop, type Hop, startHop } from '../messages/envelope.ts';
import {
  type Command,
  type Event,
  isMessage,
  type Message,
  validate,
} from '../messages/message.ts';
import {
  invalidArgument,
  isConcurrencyError,
  isWhizbangError,
  WhizbangError,
} from '../util/errors.ts';
import { parseTraceparent } from '../util/ids.ts';
import {
  attempt as attemptMaybe,
  chain,
  each,
  isThenable,
  type MaybePromise,
} from '../util/maybe.ts';
import { Invocations, invokeRemote } from './invoke.ts';
import { applyEvents } from './project.ts';
import { Projector } from './projector.ts';
import type { Registry } from './registry.ts';
import { type Folded, type SnapshotIssue, StateCache } from './state-cache.ts';
import type { DeliveryReceipt, SendOptions } from './types.ts';
import { guardedContext, underPolicies } from './under-policies.ts';
import { SCHEMA_VERSION, upcastingLedger } from './upcast.ts';
import {
  fromWire,
  noOutbox,
  outboxRecord,
  recordedFromWire,
  wireEnvelope,
  wireEvent,
} from './wire.ts';

/** Bookkeeping shared by one message and everything that cascades from it. */
export interface Flow {
  position: number;
  /** An incoming message (from a transport) to record in the inbox with the first append. */
  inbox?: { readonly tenant: string; readonly messageId: string; marked: boolean };
  /** Offline sync's mark on its own appends; such a flow also sends nothing on (no cascade). */
  sync?: SyncMark;
}

/** What one message's handling produced. */
export interface Outcome {
  readonly value: unknown;
  readonly append: AppendResult | undefined;
  /** Written to the outbox rather than handled here. */
  readonly queued?: boolean;
}

interface Decision extends Outcome {
  append: AppendResult | undefined;
  /** Appended events or sends commands (policies never cache such a decision). */
  wrote: boolean;
  readonly events: NewEvent[];
  readonly commands: Command[];
}

type InTransaction = NonNullable<AppendOptions['inTransaction']>;

const NO_COMMANDS: Command[] = [];
const QUEUED: Outcome = { value: undefined, append: undefined, queued: true };
/** The decision a cache policy answers with: a value, nothing written. */
const answered = (value: unknown): Decision => ({
  value,
  append: undefined,
  events: NO_EVENTS,
  commands: NO_COMMANDS,
  wrote: false,
});
const NO_EVENTS: NewEvent[] = [];
const PULLED: SyncMark = { pulled: true };
const NOTHING_ALSO: InTransaction = () => undefined;

/** Options of the runtime (from `build`). */
export interface RuntimeOptions {
  readonly driver: Driver;
  readonly name: string;
  readonly maxCascadeDepth: number;
  readonly stateCacheSize: number;
  readonly snapshotEvery: number;
  readonly onSnapshotError: ((issue: SnapshotIssue) => void) | undefined;
  readonly observers: readonly Observer[];
}

export class Runtime {
  readonly driver: Driver;
  /** The ledger as the app reads it (events in their current shape). */
  readonly ledger: Ledger;
  readonly name: string;
  readonly #registry: Registry;
  readonly #maxDepth: number;
  readonly cache: StateCache;
  readonly #inlineWork = new Map<string, InTransaction | undefined>();
  readonly #observers: readonly Observer[];
  /** Events each observed step committed, for reporting a step whose cascade then failed. */
  readonly #committed = new WeakMap<Envelope, readonly RecordedEvent[]>();
  readonly projectors: Map<string, Projector> = new Map();
  /** Inline perspectives being rebuilt: skipped by appends until the rebuild is done. */
  readonly rebuilding: Set<Perspective> = new Set();
  /** While set, appends wait for it (an inline rebuild is under way). */
  gate: Promise<void> | undefined;

  constructor(registry: Registry, options: RuntimeOptions) {
    this.#registry = registry;
    this.driver = options.driver;
    // Reads go through the upcasters when any event's shape has moved on.
    this.ledger =
      registry.eventVersions.size === 0
        ? options.driver.ledger
        : upcastingLedger(options.driver.ledger, registry.eventDefinitions);
    this.name = options.name;
    this.#maxDepth = options.maxCascadeDepth;
    this.cache = new StateCache(options.stateCacheSize, {
      store: options.driver.snapshots,
      every: options.snapshotEvery,
      onSnapshotError: options.onSnapshotError,
    });
    this.#observers = options.observers;
    for (const p of registry.perspectives.values()) {
      if (p.mode === 'async')
        this.projectors.set(p.name, new Projector(this.ledger, this.driver.store, p));
    }
    for (const projector of this.projectors.values()) projector.start();
  }

  envelope<M extends Message>(
    message: M,
    options: SendOptions | undefined,
    streamId?: string,
  ): Envelope<M> {
    if (!isMessage(message)) {
      throw invalidArgument(
        `Expected a message ({ kind, type, data }) made by a definition, got ${JSON.stringify(message)}.`,
      );
    }
    if (options === undefined)
      return createEnvelope(message, streamId === undefined ? {} : { streamId });
    const trace =
      options.traceparent === undefined ? undefined : parseTraceparent(options.traceparent);
    return createEnvelope(message, {
      ...options,
      ...(trace === undefined ? {} : { traceId: trace.traceId }),
      ...(streamId === undefined ? {} : { streamId }),
    });
  }

  /** Handles a command; `flow` collects the newest position written by it and its cascade. */
  command(envelope: Envelope<Command>, flow: Flow, depth: number): MaybePromise<Outcome> {
    const type = envelope.message.type;
    const receptor = this.#registry.receptors.get(type);
    const route = this.#registry.routes.size === 0 ? undefined : this.#registry.routes.get(type);
    if (depth > this.#maxDepth) throw this.#tooDeep(envelope);
    if (route?.to === 'remote' && receptor === undefined) {
      return invokeRemote(this.requests, this.name, envelope, route);
    }
    if (
      route !== undefined &&
      (route.to === 'outbox' || (route.to === 'both' && receptor === undefined))
    ) {
      return this.#enqueue(envelope, route.topic);
    }
    if (receptor === undefined) {
      throw new WhizbangError(
        'NO_HANDLER',
        `No receptor handles "${type}". Register one with whizbang().receptor(defineReceptor({ command: ${type}, … })), or route it out with .route(${type}, { to: 'outbox' }).`,
      );
    }
    const local =
      this.#observers.length === 0
        ? this.#handle(receptor, envelope, flow, depth)
        : this.#observed(envelope, () => this.#handle(receptor, envelope, flow, depth));
    if (route?.to !== 'both') return local;
    return chain(local, (outcome) => chain(this.#enqueue(envelope, route.topic), () => outcome));
  }

  /** Writes a command to the outbox (its own transaction); the relay delivers it. */
  #enqueue(envelope: Envelope, topic: string): MaybePromise<Outcome> {
    const hop = startHop(envelope, 'outbox', this.name);
    const record = outboxRecord(topic, wireEnvelope(envelope));
    const store = this.driver.store;
    const written = store.transaction((tx) => {
      if (tx.outbox === undefined) throw noOutbox(this.driver.name);
      return tx.outbox.enqueue([record]);
    });
    return chain(written, () => {
      endHop(hop);
      this.onEnqueued?.();
      return QUEUED;
    });
  }

  /**
   * Offline sync: appends events another writer recorded (pulled from the shared log). Inline
   * perspectives apply them and `also` runs in the same transaction; nothing cascades and nothing
   * goes to the outbox (the writer that decided them did that). With `after`, the stream's events
   * after that version (pending local commits) are replaced, and perspectives are left to a rebuild.
   */
  appendPulled(
    stream: string,
    events: readonly NewEvent[],
    tenant: string,
    expectedVersion: number,
    also: InTransaction,
    after?: number,
  ): MaybePromise<AppendResult> {
    if (this.gate !== undefined) {
      return this.gate.then(() =>
        this.appendPulled(stream, events, tenant, expectedVersion, also, after),
      );
    }
    const ledger = this.driver.ledger;
    if (after !== undefined) {
      return ledger.replaceTail!(stream, after, events, {
        tenant,
        inTransaction: also,
        sync: PULLED,
      });
    }
    const inline = this.#inlineFor(events);
    const inTransaction: InTransaction =
      inline === undefined
        ? also
        : (recorded, tx) => chain(inline(recorded, tx), () => also(recorded, tx));
    return ledger.append(stream, events, { expectedVersion, tenant, inTransaction, sync: PULLED });
  }

  /**
   * Offline sync: appends several runs of pulled events, each to its stream at its expected
   * version, in one transaction when the driver can (`appendBatch`); `also` runs with the last.
   */
  appendPulledBatch(
    runs: ReadonlyArray<{
      readonly streamId: string;
      readonly events: readonly NewEvent[];
      readonly tenant: string;
      readonly expectedVersion: number;
    }>,
    also: InTransaction,
  ): MaybePromise<unknown> {
    if (this.gate !== undefined) return this.gate.then(() => this.appendPulledBatch(runs, also));
    const ledger = this.driver.ledger;
    if (ledger.appendBatch === undefined) {
      return each(runs, (r, i) =>
        chain(
          this.appendPulled(
            r.streamId,
            r.events,
            r.tenant,
            r.expectedVersion,
            i === runs.length - 1 ? also : NOTHING_ALSO,
          ),
          () => undefined,
        ),
      );
    }
    return ledger.appendBatch(
      runs.map((r, i) => {
        const inline = this.#inlineFor(r.events);
        const last = i === runs.length - 1;
        const inTransaction: InTransaction | undefined = !last
          ? inline
          : inline === undefined
            ? also
            : (recorded, tx) => chain(inline(recorded, tx), () => also(recorded, tx));
        return {
          streamId: r.streamId,
          events: r.events,
          options: {
            expectedVersion: r.expectedVersion,
            tenant: r.tenant,
            inTransaction,
            sync: PULLED,
          },
        };
      }),
    );
  }

  /**
   * Offline sync: decides a pending commit's command again on the stream's new state. What it
   * appends replaces pending commit `replaces`; nothing cascades (the first decision did that).
   */
  decideAgain(envelope: Envelope<Command>, replaces: string): MaybePromise<Outcome> {
    return this.command(envelope, { position: 0, sync: { replaces } }, 0);
  }

  /** Offline sync: the stream's events were replaced; cached and snapshotted states are stale. */
  rewound(tenant: string, streamId: string): MaybePromise<void> {
    const states = new Set<StateDefinition>();
    for (const r of this.#registry.receptors.values())
      if (r.state !== undefined) states.add(r.state);
    return this.cache.rewound(states, tenant, streamId);
  }

  /** Called after something was written to the outbox (the relay listens). */
  onEnqueued: (() => void) | undefined;

  /** The transport commands routed to `'remote'` are invoked through (set by `app.listen`). */
  requests: Transport | undefined;
  /** Answers invocations from other processes. */
  readonly invocations: Invocations = new Invocations(this);

  /**
   * Handles a message that arrived from a transport: once (the inbox remembers it, in the same
   * transaction as its first append), continuing its correlation and trace.
   */
  receive(wire: WireEnvelope): MaybePromise<void> {
    const outbox = this.driver.store.outbox;
    if (outbox === undefined) throw noOutbox(this.driver.name);
    return chain(outbox.handled(wire.tenant, wire.messageId), (seen) => {
      if (seen) return;
      const flow: Flow = {
        position: 0,
        inbox: { tenant: wire.tenant, messageId: wire.messageId, marked: false },
      };
      const handled =
        wire.message.kind === 'command'
          ? chain(this.command(fromWire(wire) as Envelope<Command>, flow, 0), () => undefined)
          : this.#cascade(NO_COMMANDS, [recordedFromWire(wire)], fromWire(wire), flow, 0, true);
      const settled = attemptMaybe(
        () => handled,
        (error) => {
          if (isWhizbangError(error, 'DUPLICATE_MESSAGE')) return; // another delivery won the race
          throw error;
        },
      );
      return chain(settled, () => {
        if (flow.inbox!.marked) return;
        return this.driver.store.transaction((tx) =>
          tx.outbox!.markHandled(wire.tenant, wire.messageId),
        );
      });
    });
  }

  #handle(
    receptor: Receptor,
    envelope: Envelope<Command>,
    flow: Flow,
    depth: number,
  ): MaybePromise<Outcome> {
    const hop = startHop(envelope, this.#registry.where.get(envelope.message.type)!, this.name);
    const schema = receptor.command.schema;
    if (schema === undefined)
      return this.#run(receptor, envelope.message, envelope, flow, depth, hop);
    return chain(validate(envelope.message, schema), (command) =>
      this.#run(receptor, command, envelope, flow, depth, hop),
    );
  }

  /** Runs `work` and tells every observer how it went; observers never change the outcome. */
  #observed(envelope: Envelope, work: () => MaybePromise<Outcome>): MaybePromise<Outcome> {
    const tell = (events: readonly RecordedEvent[], error?: unknown): void => {
      const dispatched = error === undefined ? { envelope, events } : { envelope, events, error };
      for (const observer of this.#observers) {
        try {
          observer.onDispatched?.(dispatched);
        } catch (thrown) {
          observer.onError?.(thrown);
        }
      }
    };
    // a step whose cascade failed still committed its own events: report them with the error
    const fail = (error: unknown): never => {
      tell(this.#committed.get(envelope) ?? [], error);
      throw error;
    };
    let result: MaybePromise<Outcome>;
    try {
      result = work();
    } catch (error) {
      return fail(error);
    }
    const done = (outcome: Outcome): Outcome => {
      tell(outcome.append?.events ?? []);
      return outcome;
    };
    return isThenable<Outcome>(result) ? Promise.resolve(result).then(done, fail) : done(result);
  }

  /** Appends events to a stream (publish), then fans them out. */
  publish(
    envelopes: ReadonlyArray<Envelope<Event>>,
    stream: string,
    expectedVersion: ExpectedVersion,
    flow: Flow,
  ): MaybePromise<Outcome> {
    checkStreamId(stream);
    const first = envelopes[0]!;
    if (this.#observers.length > 0) {
      return this.#observed(first, () => this.#publish(envelopes, stream, expectedVersion, flow));
    }
    return this.#publish(envelopes, stream, expectedVersion, flow);
  }

  #publish(
    envelopes: ReadonlyArray<Envelope<Event>>,
    stream: string,
    expectedVersion: ExpectedVersion,
    flow: Flow,
  ): MaybePromise<Outcome> {
    const first = envelopes[0]!;
    const hop = startHop(first, 'ledger', this.name, stream);
    const schemas = this.#registry.eventSchemas;
    const validated = each(envelopes, (e) =>
      chain(validate(e.message, schemas.get(e.message.type)), () => undefined),
    );
    return chain(validated, () => {
      const events: NewEvent[] = envelopes.map((e) => {
        const version = this.#versioned(e.message.type);
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
        this.#append(stream, events, first.tenant, expectedVersion, flow, first),
        (append) => {
          endHop(hop);
          const outcome: Outcome = { value: undefined, append };
          return chain(this.#cascade(NO_COMMANDS, append.events, first, flow, 0), () => outcome);
        },
      );
    });
  }

  receipt(envelope: Envelope, outcome: Outcome, flow: Flow): DeliveryReceipt {
    const append = outcome.append;
    return {
      messageId: envelope.messageId,
      correlationId: envelope.correlationId,
      type: envelope.message.type,
      status: outcome.queued === true ? 'queued' : 'handled',
      streamId: append?.streamId ?? envelope.streamId,
      version: append === undefined ? undefined : append.version,
      position: flow.position,
      events: append === undefined ? 0 : append.events.length,
      envelope,
    };
  }

  #run(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow,
    depth: number,
    hop: Hop,
  ): MaybePromise<Outcome> {
    const decide = (attempt: Attempt | undefined): MaybePromise<Decision> =>
      receptor.state === undefined
        ? this.#stateless(receptor, command, envelope, flow, attempt)
        : this.#stateful(receptor, command, envelope, flow, 0, attempt);
    const policies = this.#registry.policiesFor(command);
    let decision: MaybePromise<Decision>;
    const failed = (error: unknown): never => {
      endHop(hop); // a failed step still says how long it took
      throw error;
    };
    try {
      decision =
        policies.length === 0
          ? decide(undefined)
          : underPolicies(policies, envelope, hop, decide, answered);
    } catch (error) {
      return failed(error);
    }
    return isThenable<Decision>(decision)
      ? Promise.resolve(decision).then((d) => this.#finish(d, envelope, flow, depth, hop), failed)
      : this.#finish(decision, envelope, flow, depth, hop);
  }

  #finish(
    decision: Decision,
    envelope: Envelope,
    flow: Flow,
    depth: number,
    hop: Hop,
  ): MaybePromise<Outcome> {
    endHop(hop);
    const events = decision.append?.events;
    if (events !== undefined && this.#observers.length > 0) this.#committed.set(envelope, events);
    if (
      flow.sync !== undefined ||
      (decision.commands.length === 0 &&
        (events === undefined || this.#registry.handlers.size === 0))
    ) {
      return decision;
    }
    return chain(this.#cascade(decision.commands, events, envelope, flow, depth), () => decision);
  }

  #stateless(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    const streamId = receptor.stream === undefined ? undefined : receptor.stream(command);
    const context = Runtime.#context(envelope, streamId, 0, attempt);
    const decided = (output: unknown): MaybePromise<Decision> => {
      Runtime.#stillWanted(attempt);
      const decision = this.#sort(output, envelope);
      if (decision.events.length === 0) return decision;
      if (streamId === undefined) {
        throw new WhizbangError(
          'STREAM_REQUIRED',
          `The receptor of "${command.type}" returned events but has no \`stream\`. Add \`stream: (command) => streamId\` to it.`,
        );
      }
      return chain(this.#checkEvents(decision.events), () =>
        chain(
          this.#append(streamId, decision.events, envelope.tenant, 'any', flow, envelope),
          (append) => {
            decision.append = append;
            decision.wrote = true;
            return decision;
          },
        ),
      );
    };
    const output = receptor.decide(command, undefined, context);
    return isThenable(output) ? Promise.resolve(output).then(decided) : decided(output);
  }

  #stateful(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow,
    retry: number,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    const streamId = receptor.stream!(command);
    checkStreamId(streamId);
    const folded = this.cache.load(this.ledger, receptor.state!, envelope.tenant, streamId);
    return isThenable<Folded>(folded)
      ? Promise.resolve(folded).then((f) =>
          this.#decide(receptor, command, envelope, flow, retry, streamId, f, attempt),
        )
      : this.#decide(receptor, command, envelope, flow, retry, streamId, folded, attempt);
  }

  /** What a receptor knows besides the command; the abort signal is made only when read. */
  static #context(
    envelope: Envelope,
    streamId: string | undefined,
    version: number,
    attempt: Attempt | undefined,
  ): ReceptorContext {
    const tenant = envelope.tenant;
    if (attempt === undefined) return { envelope, tenant, streamId, version, signal: undefined };
    return guardedContext(envelope, streamId, version, attempt);
  }

  /** A decision that arrives after a policy gave up on it (timeout) is not written. */
  static #stillWanted(attempt: Attempt | undefined): void {
    if (attempt?.aborted) throw attempt.signal.reason;
  }

  #decide(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow,
    retry: number,
    streamId: string,
    folded: Folded,
    attempt: Attempt | undefined,
  ): MaybePromise<Decision> {
    const tenant = envelope.tenant;
    const context = Runtime.#context(envelope, streamId, folded.version, attempt);
    const decided = (output: unknown): MaybePromise<Decision> => {
      Runtime.#stillWanted(attempt);
      const decision = this.#sort(output, envelope);
      if (decision.events.length === 0) return decision;
      const conflict = (error: unknown): MaybePromise<Decision> => {
        if (!isConcurrencyError(error) || retry >= receptor.maxRetries) throw error;
        this.cache.forget(receptor.state!, tenant, streamId);
        envelope.hops[envelope.hops.length - 1]?.decisions.push({
          policy: 'concurrency',
          decision: 'retry',
          detail: `stream "${streamId}" moved to version ${error.actual}; deciding again (retry ${retry + 1} of ${receptor.maxRetries})`,
        });
        return this.#stateful(receptor, command, envelope, flow, retry + 1, attempt);
      };
      const committed = (append: AppendResult): Decision => {
        this.cache.advance(receptor.state!, tenant, streamId, folded, append.events);
        decision.append = append;
        decision.wrote = true;
        return decision;
      };
      const append = (): MaybePromise<Decision> => {
        let appended: MaybePromise<AppendResult>;
        try {
          appended = this.#append(
            streamId,
            decision.events,
            tenant,
            folded.version,
            flow,
            envelope,
          );
        } catch (error) {
          return conflict(error);
        }
        return isThenable<AppendResult>(appended)
          ? Promise.resolve(appended).then(committed, conflict)
          : committed(appended);
      };
      const checked = this.#checkEvents(decision.events);
      return isThenable(checked) ? Promise.resolve(checked).then(append) : append();
    };
    const output = receptor.decide(command, folded.state, context);
    return isThenable(output) ? Promise.resolve(output).then(decided) : decided(output);
  }

  /** Splits a receptor's output into its value, the events to append (with identity) and the commands to send. */
  #sort(output: unknown, parent: Envelope): Decision {
    let value = output;
    let messages: readonly Message[] | undefined;
    if (output === undefined || output === null) {
      messages = undefined;
    } else if (isReply(output)) {
      value = output.value;
      messages = output.messages;
    } else if (isMessage(output)) {
      messages = [output];
    } else if (Array.isArray(output) && output.length > 0 && output.every(isMessage)) {
      messages = output;
    }
    let events = NO_EVENTS;
    let commands = NO_COMMANDS;
    if (messages !== undefined) {
      for (const m of messages) {
        if (m.kind === 'event') {
          if (events === NO_EVENTS) events = [];
          const version =
            this.#registry.eventVersions.size === 0 ? undefined : this.#versioned(m.type);
          const event: NewEvent = {
            type: m.type,
            data: m.data,
            correlationId: parent.correlationId,
            causationId: parent.messageId,
          };
          events.push(version === undefined ? event : { ...event, metadata: version });
        } else {
          if (commands === NO_COMMANDS) commands = [];
          commands.push(m as Command);
        }
      }
    }
    return { value, append: undefined, events, commands, wrote: commands.length > 0 };
  }

  /** The metadata that records an event type's shape version, when it is past version 1. */
  #versioned(type: string): Readonly<Record<string, unknown>> | undefined {
    const version = this.#registry.eventVersions.get(type);
    return version === undefined ? undefined : { [SCHEMA_VERSION]: version };
  }

  /** Validates (and transforms) events whose definitions have schemas, in place. */
  #checkEvents(events: NewEvent[]): MaybePromise<void> {
    const schemas = this.#registry.eventSchemas;
    if (schemas.size === 0) return;
    return each(events, (e, i) => {
      const schema = schemas.get(e.type);
      if (schema === undefined) return;
      return chain(validate({ kind: 'event', type: e.type, data: e.data }, schema), (m) => {
        if (m.data !== e.data) events[i] = { ...e, data: m.data };
      });
    });
  }

  #append(
    stream: string,
    events: NewEvent[],
    tenant: string,
    expectedVersion: ExpectedVersion,
    flow: Flow,
    parent: Envelope,
  ): MaybePromise<AppendResult> {
    if (this.gate !== undefined) {
      return this.gate.then(() =>
        this.#append(stream, events, tenant, expectedVersion, flow, parent),
      );
    }
    const inline = this.#inlineFor(events);
    const inTransaction =
      this.#registry.routes.size === 0 && flow.inbox === undefined
        ? inline
        : this.#withOutbox(inline, flow, parent);
    const options: AppendOptions = {
      expectedVersion,
      tenant,
      inTransaction,
      cause: parent,
      sync: flow.sync,
    };
    const result = this.driver.ledger.append(stream, events, options);
    return isThenable<AppendResult>(result)
      ? Promise.resolve(result).then((r) => Runtime.#advance(r, flow))
      : Runtime.#advance(result, flow);
  }

  static #advance(result: AppendResult, flow: Flow): AppendResult {
    if (result.position > flow.position) flow.position = result.position;
    if (flow.inbox !== undefined) flow.inbox.marked = true;
    return result;
  }

  /**
   * The append's transaction also writes the outbox records of events routed out of the process,
   * and marks the incoming message that caused it as handled (inbox): one commit for all of it.
   */
  #withOutbox(
    inline: InTransaction | undefined,
    flow: Flow,
    parent: Envelope,
  ): InTransaction | undefined {
    const routes = this.#registry.routes;
    const inbox = flow.inbox !== undefined && !flow.inbox.marked ? flow.inbox : undefined;
    return (recorded, tx) =>
      chain(inline?.(recorded, tx), () => {
        const records: OutboxRecord[] = [];
        for (const event of recorded) {
          const route = routes.get(event.type);
          if (route !== undefined && (route.to === 'outbox' || route.to === 'both')) {
            records.push(outboxRecord(route.topic, wireEvent(event, parent)));
          }
        }
        if (records.length === 0 && inbox === undefined) return;
        const outbox = tx.outbox;
        if (outbox === undefined) throw noOutbox(this.driver.name);
        return chain(records.length === 0 ? undefined : outbox.enqueue(records), () =>
          inbox === undefined ? undefined : outbox.markHandled(inbox.tenant, inbox.messageId),
        );
      });
  }

  /** The inline-perspective work of an append, made once per event type (or anew for a mix of types). */
  #inlineFor(events: readonly NewEvent[]): InTransaction | undefined {
    const byType = this.#registry.inlineByType;
    if (this.rebuilding.size === 0 && events.length === 1) {
      const type = events[0]!.type;
      if (this.#inlineWork.has(type)) return this.#inlineWork.get(type);
      const work = Runtime.#work(byType.get(type) ?? []);
      this.#inlineWork.set(type, work);
      return work;
    }
    const set = new Set<Perspective>();
    for (const e of events) {
      for (const p of byType.get(e.type) ?? []) if (!this.rebuilding.has(p)) set.add(p);
    }
    return Runtime.#work([...set]);
  }

  static #work(perspectives: Perspective[]): InTransaction | undefined {
    if (perspectives.length === 0) return undefined;
    return (recorded, tx) =>
      applyEvents(perspectives, recorded, tx, recorded[recorded.length - 1]!.position);
  }

  /** After a commit: event handlers react to the new events, then returned commands are sent. */
  #cascade(
    commands: readonly Command[],
    events: readonly RecordedEvent[] | undefined,
    parent: Envelope,
    flow: Flow,
    depth: number,
    incoming = false,
  ): MaybePromise<void> {
    const handlers = this.#registry.handlers;
    const routes = this.#registry.routes;
    const react = (event: RecordedEvent): MaybePromise<void> => {
      const list = handlers.get(event.type);
      if (list === undefined) return;
      const to = routes.size === 0 ? undefined : routes.get(event.type)?.to;
      // recorded (and sent), not handled here — unless it is the one that came in
      if (!incoming && (to === 'outbox' || to === 'ledger-only')) return;
      return each(list, (handler) =>
        chain(handler(event, { tenant: event.tenant, event }), (output) =>
          this.#reacted(output, event, parent, flow, depth),
        ),
      );
    };
    const reactions = events === undefined || handlers.size === 0 ? undefined : each(events, react);
    return chain(reactions, () =>
      each(commands, (c) =>
        chain(this.command(createEnvelope(c, {}, parent), flow, depth + 1), () => undefined),
      ),
    );
  }

  /** Sends what an event handler returned, each command caused by the event. */
  #reacted(
    output: unknown,
    event: RecordedEvent,
    parent: Envelope,
    flow: Flow,
    depth: number,
  ): MaybePromise<void> {
    const decision = this.#sort(output, parent);
    if (decision.events.length > 0) {
      throw invalidArgument(
        `An event handler of "${event.type}" returned an event; handlers return commands, whose receptors record events.`,
      );
    }
    return each(decision.commands, (command) => {
      const origin = {
        correlationId: event.correlationId,
        causationId: event.messageId,
        tenant: event.tenant,
      };
      return chain(
        this.command(createEnvelope(command, origin, parent), flow, depth + 1),
        () => undefined,
      );
    });
  }

  #tooDeep(envelope: Envelope): WhizbangError {
    return new WhizbangError(
      'CASCADE_TOO_DEEP',
      `"${envelope.message.type}" is ${this.#maxDepth + 1} cascades deep (correlation ${envelope.correlationId}). ` +
        'A receptor or event handler probably sends a command that leads back to itself; break the loop or raise maxCascadeDepth.',
    );
  }
}
