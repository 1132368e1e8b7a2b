/**
 * Sagas: long-running processes that react to events and send commands, with their own state
 * stream. Built from the public builder API: an event handler per event type turns each event into
 * an internal command, and a stateful receptor over `saga-<name>-<sagaId>` decides on the saga's
 * folded state, records the step and sends the step's commands as a cascade.
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import {
  defineReceptor,
  defineState,
  type Receptor,
  type ReceptorContext,
} from '../definitions/receptor.ts';
import {
  type Command,
  defineCommand,
  type EventDefinition,
  isMessage,
  type Message,
  type MessageOf,
  payload,
} from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import { chain } from '../util/maybe.ts';
import { sagaTimeoutsPerspective } from './durable.ts';
import { emptyFold, evolveFold, type SagaFold, SagaStepped, SagaTimedOut } from './events.ts';
import { runSagaTimeouts } from './timeouts.ts';
import type { Saga, SagaContext, SagaDefinition, SagaHandler, SagaStep } from './types.ts';

/** What `withSaga` registers: the internal receptors and one event handler per event type. */
export interface SagaParts {
  readonly receptors: readonly Receptor<any, any, any>[];
  readonly events: readonly EventDefinition[];
  readonly handler: (event: RecordedEvent) => Command | undefined;
}

/** Deliveries to one saga at once conflict on its stream; each retry decides on the newer state. */
const MAX_RETRIES = 10;

const parts = new WeakMap<Saga<any>, SagaParts>();

/** The parts `withSaga` registers, or `undefined` for anything not made by {@link defineSaga}. */
export function sagaParts(saga: Saga<any>): SagaParts | undefined {
  return parts.get(saga);
}

const list = <T>(value: T | readonly T[] | undefined): readonly T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value as T];

function commands(name: string, field: string, value: unknown): Command[] {
  const all = list(value as Message | readonly Message[] | undefined);
  for (const m of all) {
    if (!isMessage(m) || m.kind !== 'command') {
      throw invalidArgument(
        `Saga "${name}": \`${field}\` takes commands made by a defineCommand() definition, got ${JSON.stringify(m)}. ` +
          'A saga records facts by sending a command whose receptor records them.',
      );
    }
  }
  return all as Command[];
}

/**
 * Defines a saga: which events start it and move it on, how an event finds its saga, and what each
 * event does to the saga's state and which commands it sends.
 * @example
 * const checkout = defineSaga({
 *   name: 'checkout',
 *   initial: () => ({ status: 'new' }),
 *   startedBy: OrderPlaced,
 *   handles: [PaymentTaken],
 *   correlate: (e) => e.data.orderId,
 *   on: {
 *     OrderPlaced: (_s, e) => ({ state: { status: 'paying' }, send: TakePayment(e.data) }),
 *     PaymentTaken: (_s, e) => ({ state: { status: 'paid' }, send: Ship(e.data), complete: true }),
 *   },
 * });
 * const app = withSaga(whizbang('shop').receptor(placeOrder).receptor(takePayment).receptor(ship), checkout).build();
 */
export function defineSaga<S, Start extends EventDefinition, Next extends EventDefinition = never>(
  definition: SagaDefinition<S, Start, Next>,
): Saga<S> {
  const { name, initial, correlate } = definition;
  const on = definition.on as Record<string, SagaHandler<S, any> | undefined>;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.]{1,63}$/.test(name)) {
    throw invalidArgument(
      `A saga name uses letters, digits, _ or . (1 to 63), got ${JSON.stringify(name)}.`,
    );
  }
  const starts = list<EventDefinition>(definition.startedBy);
  const events = [...starts, ...list<EventDefinition>(definition.handles)].filter(
    (d, i, all) => all.findIndex((o) => o.type === d.type) === i,
  );
  if (starts.length === 0 || events.some((d) => d?.kind !== 'event')) {
    throw invalidArgument(
      `Saga "${name}" needs \`startedBy\` (and optionally \`handles\`): event definitions made by defineEvent().`,
    );
  }
  if (typeof initial !== 'function' || typeof correlate !== 'function') {
    throw invalidArgument(
      `Saga "${name}" needs \`initial: () => state\` and \`correlate: (event) => sagaId\`.`,
    );
  }
  const missing = events.filter((d) => typeof on?.[d.type] !== 'function').map((d) => d.type);
  if (missing.length > 0) {
    throw invalidArgument(`Saga "${name}" has no handler in \`on\` for ${missing.join(', ')}.`);
  }
  const startTypes = new Set(starts.map((d) => d.type));
  const streamId = (sagaId: string): string => `saga-${name}-${sagaId}`;
  const state = defineState<SagaFold<S>>({
    initial: () => emptyFold(initial()),
    evolve: evolveFold,
  });

  const Handle = defineCommand(
    `Saga:${name}:Handle`,
    payload<{ sagaId: string; event: RecordedEvent }>(),
  );
  const Timeout = defineCommand(
    `Saga:${name}:Timeout`,
    payload<{ sagaId: string; step: number }>(),
  );

  const record = (
    fold: SagaFold<S>,
    step: SagaStep<S>,
    event: RecordedEvent,
    sagaId: string,
    context: ReceptorContext,
  ): Message[] => {
    const send = commands(name, 'send', step.send);
    const undo = commands(name, 'undo', step.undo);
    const compensations = step.compensate ? [...fold.undo].reverse().flat() : [];
    const t = step.timeout;
    if (t !== undefined) {
      commands(name, 'timeout.command', t.command);
      if (!(Number.isFinite(t.afterMs) && t.afterMs >= 0) || step.complete) {
        throw invalidArgument(
          `Saga "${name}": a timeout needs \`afterMs\` ≥ 0 (got ${t.afterMs}) and a step that does not complete the saga.`,
        );
      }
    }
    const sent = [...compensations, ...send];
    const stepped = SagaStepped({
      saga: name,
      sagaId,
      step: context.version + 1,
      event: {
        type: event.type,
        messageId: event.messageId,
        streamId: event.streamId,
        position: event.position,
      },
      state: 'state' in step ? step.state : fold.state,
      sent,
      undo,
      compensated: step.compensate === true,
      timeout:
        t === undefined
          ? null
          : { afterMs: t.afterMs, dueAt: Date.now() + t.afterMs, command: t.command },
      complete: step.complete === true,
    });
    return [stepped, ...sent];
  };

  const handle = defineReceptor({
    command: Handle,
    stream: (c) => streamId(c.data.sagaId),
    state,
    maxRetries: MAX_RETRIES,
    decide: (c, fold, context) => {
      const { sagaId, event } = c.data;
      if (fold.completed || fold.handled.includes(event.messageId)) return undefined;
      if (!fold.started && !startTypes.has(event.type)) return undefined;
      const handler = on[event.type]!;
      const ctx: SagaContext = { sagaId, tenant: context.tenant, started: fold.started };
      return chain(handler(fold.state, event, ctx), (step) =>
        step === undefined || step === null
          ? undefined
          : record(fold, step as SagaStep<S>, event, sagaId, context),
      );
    },
  });

  const timeout = defineReceptor({
    command: Timeout,
    stream: (c) => streamId(c.data.sagaId),
    state,
    maxRetries: MAX_RETRIES,
    decide: (c, fold) => {
      const pending = fold.timeout;
      if (fold.completed || pending === undefined || pending.step !== c.data.step) return undefined;
      const { sagaId, step } = c.data;
      return [
        SagaTimedOut({ saga: name, sagaId, step, command: pending.command }),
        pending.command,
      ];
    },
  });

  const handler = (event: RecordedEvent): Command | undefined => {
    const sagaId = correlate(event as RecordedEvent<MessageOf<Start | Next>>);
    if (sagaId === undefined || sagaId === null) return undefined;
    if (typeof sagaId !== 'string' || sagaId.length === 0) {
      throw invalidArgument(
        `Saga "${name}": correlate() must return a non-empty string or undefined, got ${JSON.stringify(sagaId)} for "${event.type}".`,
      );
    }
    return Handle({ sagaId, event });
  };

  const saga: Saga<S> = {
    name,
    streamId,
    async read(source, sagaId, options = {}) {
      const recorded = await source.ledger.readStream(streamId(sagaId), options);
      const fold = recorded.reduce<SagaFold<S>>(evolveFold, emptyFold(initial()));
      if (!fold.started) return undefined;
      return {
        sagaId,
        state: fold.state,
        completed: fold.completed,
        version: recorded.length,
        correlationId: fold.correlationId!,
        timeout: fold.timeout,
        undo: fold.undo,
      };
    },
    runTimeouts: (app, options) => runSagaTimeouts(app, name, Timeout.type, options),
    timeouts: sagaTimeoutsPerspective(name, Timeout.type),
  };
  parts.set(saga, { receptors: [handle, timeout], events, handler });
  return saga;
}
