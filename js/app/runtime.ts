/**
 * The dispatcher and everything it drives: receptors, the ledger append with inline perspectives,
 * cascades, event handlers and async perspectives. Synchronous end to end while nothing awaits.
 */
import type { Driver } from '../driver.ts';
import { createEnvelope, type Envelope, endHop, startHop } from '../envelope.ts';
import { invalidArgument, isConcurrencyError, WhizbangError } from '../errors.ts';
import { parseTraceparent } from '../ids.ts';
import {
  type AppendOptions,
  type AppendResult,
  checkStreamId,
  type ExpectedVersion,
  type NewEvent,
  type RecordedEvent,
} from '../ledger.ts';
import { attempt, chain, each, isThenable, type MaybePromise } from '../maybe.ts';
import { type Command, type Event, isMessage, type Message, validate } from '../message.ts';
import type { Perspective } from '../perspective.ts';
import { isReply, type Receptor, type ReceptorContext } from '../receptor.ts';
import type { StandardSchemaV1 } from '../standard-schema.ts';
import { applyEvents } from './project.ts';
import { Projector } from './projector.ts';
import type { Registry } from './registry.ts';
import { type Folded, StateCache } from './state-cache.ts';
import type { DeliveryReceipt, SendOptions } from './types.ts';

/** Bookkeeping shared by one message and everything that cascades from it. */
interface Flow {
  position: number;
}

/** What one message's handling produced. */
interface Outcome {
  readonly value: unknown;
  readonly append: AppendResult | undefined;
}

const EMPTY: readonly never[] = [];

/** Splits a receptor's return value into the caller's value and the messages that cascade. */
function split(output: unknown): { value: unknown; messages: readonly Message[] } {
  if (output === undefined || output === null) return { value: output, messages: EMPTY };
  if (isReply(output)) return { value: output.value, messages: output.messages };
  if (isMessage(output)) return { value: output, messages: [output] };
  if (Array.isArray(output) && output.length > 0 && output.every(isMessage))
    return { value: output, messages: output };
  return { value: output, messages: EMPTY };
}

/** Options of the runtime (from `build`). */
export interface RuntimeOptions {
  readonly driver: Driver;
  readonly name: string;
  readonly maxCascadeDepth: number;
  readonly stateCacheSize: number;
}

export class Runtime {
  readonly driver: Driver;
  readonly name: string;
  readonly #registry: Registry;
  readonly #maxDepth: number;
  readonly #cache: StateCache;
  readonly projectors: Map<string, Projector> = new Map();
  /** Inline perspectives being rebuilt: skipped by appends until the rebuild is done. */
  readonly rebuilding: Set<Perspective> = new Set();
  /** While set, appends wait for it (an inline rebuild is under way). */
  gate: Promise<void> | undefined;

  constructor(registry: Registry, options: RuntimeOptions) {
    this.#registry = registry;
    this.driver = options.driver;
    this.name = options.name;
    this.#maxDepth = options.maxCascadeDepth;
    this.#cache = new StateCache(options.stateCacheSize);
    for (const p of registry.perspectives.values()) {
      if (p.mode === 'async') this.projectors.set(p.name, new Projector(this.driver, p));
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
    if (receptor === undefined) {
      throw new WhizbangError(
        'NO_HANDLER',
        `No receptor handles "${type}". Register one with whizbang().receptor(defineReceptor({ command: ${type}, … })).`,
      );
    }
    if (depth > this.#maxDepth) throw this.#tooDeep(envelope);
    const hop = startHop(envelope, `receptor:${type}`, this.name);
    return chain(validate(envelope.message, receptor.command.schema), (command) => {
      const run =
        receptor.state === undefined
          ? this.#stateless(receptor, command, envelope, flow)
          : this.#stateful(receptor, command, envelope, flow, 0);
      return chain(run, (result) => {
        endHop(hop);
        return chain(
          this.#cascade(result.commands, result.append?.events, envelope, flow, depth),
          () => result,
        );
      });
    });
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
    const hop = startHop(first, 'ledger', this.name, stream);
    const validated = each(envelopes, (e) =>
      chain(validate(e.message, this.#schemaOf(e.message.type)), () => undefined),
    );
    return chain(validated, () => {
      const events: NewEvent[] = envelopes.map((e) => ({
        type: e.message.type,
        data: e.message.data,
        messageId: e.messageId,
        correlationId: e.correlationId,
        causationId: e.causationId,
        timestamp: e.timestamp,
      }));
      return chain(this.#append(stream, events, first.tenant, expectedVersion, flow), (append) => {
        endHop(hop);
        return chain(this.#cascade(EMPTY, append.events, first, flow, 0), () => ({
          value: undefined,
          append,
        }));
      });
    });
  }

  receipt(envelope: Envelope, outcome: Outcome, flow: Flow): DeliveryReceipt {
    const append = outcome.append;
    return {
      messageId: envelope.messageId,
      correlationId: envelope.correlationId,
      type: envelope.message.type,
      status: 'handled',
      streamId: append?.streamId ?? envelope.streamId,
      version: append === undefined ? undefined : append.version,
      position: flow.position,
      events: append === undefined ? 0 : append.events.length,
      envelope,
    };
  }

  #stateless(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow,
  ): MaybePromise<Decision> {
    const streamId = receptor.stream === undefined ? undefined : receptor.stream(command);
    const context: ReceptorContext = { envelope, tenant: envelope.tenant, streamId, version: 0 };
    return chain(receptor.decide(command, undefined, context), (output) => {
      const { value, messages } = split(output);
      const { events, commands } = this.#sort(messages, envelope);
      if (events.length === 0) return { value, append: undefined, commands };
      if (streamId === undefined) {
        throw new WhizbangError(
          'STREAM_REQUIRED',
          `The receptor of "${command.type}" returned events but has no \`stream\`. Add \`stream: (command) => streamId\` to it.`,
        );
      }
      return chain(this.#append(streamId, events, envelope.tenant, 'any', flow), (append) => ({
        value,
        append,
        commands,
      }));
    });
  }

  #stateful(
    receptor: Receptor,
    command: Command,
    envelope: Envelope,
    flow: Flow,
    retry: number,
  ): MaybePromise<Decision> {
    const definition = receptor.state!;
    const streamId = receptor.stream!(command);
    checkStreamId(streamId);
    const tenant = envelope.tenant;
    return chain(
      this.#cache.load(this.driver.ledger, definition, tenant, streamId),
      (folded: Folded) => {
        const context: ReceptorContext = { envelope, tenant, streamId, version: folded.version };
        return chain(receptor.decide(command, folded.state, context), (output) => {
          const { value, messages } = split(output);
          const { events, commands } = this.#sort(messages, envelope);
          if (events.length === 0) return { value, append: undefined, commands };
          return attempt(
            () =>
              chain(this.#append(streamId, events, tenant, folded.version, flow), (append) => {
                this.#cache.advance(definition, tenant, streamId, folded, append.events);
                return { value, append, commands };
              }),
            (error) => {
              if (!isConcurrencyError(error) || retry >= receptor.maxRetries) throw error;
              this.#cache.forget(definition, tenant, streamId);
              envelope.hops[envelope.hops.length - 1]?.decisions.push({
                policy: 'concurrency',
                decision: 'retry',
                detail: `stream "${streamId}" moved to version ${error.actual}; deciding again (retry ${retry + 1} of ${receptor.maxRetries})`,
              });
              return this.#stateful(receptor, command, envelope, flow, retry + 1);
            },
          );
        });
      },
    );
  }

  /** Separates events (to append) from commands (to send) and gives events their identity. */
  #sort(
    messages: readonly Message[],
    parent: Envelope,
  ): { events: NewEvent[]; commands: Command[] } {
    const events: NewEvent[] = [];
    const commands: Command[] = [];
    for (const m of messages) {
      if (m.kind === 'event') {
        events.push({
          type: m.type,
          data: m.data,
          correlationId: parent.correlationId,
          causationId: parent.messageId,
        });
      } else commands.push(m as Command);
    }
    return { events, commands };
  }

  #append(
    stream: string,
    events: NewEvent[],
    tenant: string,
    expectedVersion: ExpectedVersion,
    flow: Flow,
  ): MaybePromise<AppendResult> {
    if (this.gate !== undefined)
      return this.gate.then(() => this.#append(stream, events, tenant, expectedVersion, flow));
    const inline = this.#inlineFor(events);
    const options: AppendOptions =
      inline.length === 0
        ? { expectedVersion, tenant }
        : {
            expectedVersion,
            tenant,
            inTransaction: (recorded, tx) =>
              applyEvents(inline, recorded, tx, recorded[recorded.length - 1]!.position),
          };
    return chain(this.driver.ledger.append(stream, events, options), (result) => {
      if (result.position > flow.position) flow.position = result.position;
      return result;
    });
  }

  #inlineFor(events: readonly NewEvent[]): Perspective[] {
    const byType = this.#registry.inlineByType;
    if (events.length === 1) {
      const list = byType.get(events[0]!.type);
      if (list === undefined) return [];
      return this.rebuilding.size === 0 ? list : list.filter((p) => !this.rebuilding.has(p));
    }
    const set = new Set<Perspective>();
    for (const e of events)
      for (const p of byType.get(e.type) ?? []) if (!this.rebuilding.has(p)) set.add(p);
    return [...set];
  }

  #schemaOf(type: string): StandardSchemaV1 | undefined {
    return this.#registry.eventSchemas.get(type);
  }

  /** After a commit: event handlers react to the new events, then returned commands are sent. */
  #cascade(
    commands: readonly Command[],
    events: readonly RecordedEvent[] | undefined,
    parent: Envelope,
    flow: Flow,
    depth: number,
  ): MaybePromise<void> {
    const handlers = this.#registry.handlers;
    const reactions =
      events === undefined || handlers.size === 0
        ? undefined
        : each(events, (event) => {
            const list = handlers.get(event.type);
            if (list === undefined) return;
            return each(list, (handler) =>
              chain(handler(event, { tenant: event.tenant, event }), (output) => {
                const { messages } = split(output);
                return each(messages, (m) => {
                  if (m.kind !== 'command') {
                    throw invalidArgument(
                      `An event handler of "${event.type}" returned event "${m.type}"; handlers return commands, whose receptors record events.`,
                    );
                  }
                  const child = createEnvelope(m as Command, {
                    correlationId: event.correlationId,
                    causationId: event.messageId,
                    tenant: event.tenant,
                    traceId: parent.traceId,
                  });
                  return chain(this.command(child, flow, depth + 1), () => undefined);
                });
              }),
            );
          });
    return chain(reactions, () =>
      each(commands, (c) =>
        chain(this.command(createEnvelope(c, {}, parent), flow, depth + 1), () => undefined),
      ),
    );
  }

  #tooDeep(envelope: Envelope): WhizbangError {
    return new WhizbangError(
      'CASCADE_TOO_DEEP',
      `"${envelope.message.type}" is ${this.#maxDepth + 1} cascades deep (correlation ${envelope.correlationId}). ` +
        'A receptor or event handler probably sends a command that leads back to itself; break the loop or raise maxCascadeDepth.',
    );
  }

  /** Whether a value from the driver is still pending (used by the public API to stay cheap). */
  static pending(value: unknown): boolean {
    return isThenable(value);
  }
}

interface Decision extends Outcome {
  readonly commands: Command[];
}
