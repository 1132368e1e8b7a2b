/**
 * Given-when-then for one receptor or one event handler, run by a fresh in-memory app: the given
 * events are published to the stream, the `when` message is handled, and what followed is read
 * back. Commands it returns are recorded, not sent, so a scenario tests one step of a cascade.
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import { isReply, type Receptor, type ResultOf, reply } from '../definitions/receptor.ts';
import {
  type Command,
  type Event,
  type EventDefinition,
  type InputOf,
  isMessage,
  type Message,
  type MessageOf,
  validate,
} from '../messages/message.ts';
import { whizbang } from '../runtime/builder.ts';
import type { EventHandler } from '../runtime/registry.ts';
import type { Whizbang } from '../runtime/types.ts';
import { invalidArgument } from '../util/errors.ts';
import { chain } from '../util/maybe.ts';
import { checkEvents, checkMessages, TEST_STREAM } from './common.ts';
import { expectations } from './expectations.ts';
import type { Scenario, ScenarioOptions, ScenarioOutcome } from './types.ts';

type Subject =
  | { readonly kind: 'receptor'; readonly receptor: Receptor; readonly type: string }
  | {
      readonly kind: 'handler';
      readonly handler: EventHandler;
      readonly event: EventDefinition;
      readonly type: string;
    };

/**
 * A given-when-then scenario for a receptor (stateful or stateless), or for an event handler:
 * `scenario(MoneyWithdrawn, handler).when(MoneyWithdrawn({ … })).thenSends(Deposit({ … }))`.
 * @example
 * await scenario(withdraw)
 *   .given(AccountOpened({ accountId: 'a', owner: 'Ada', overdraftLimit: 0 }))
 *   .when(Withdraw({ accountId: 'a', amount: 30 }))
 *   .thenThrows(/overdraft/);
 */
export function scenario<C extends Command, R, I extends Command>(
  receptor: Receptor<C, R, I>,
  options?: ScenarioOptions,
): Scenario<I, ResultOf<R>>;
/**
 * A given-when-then scenario for an event handler: `.when(event)`, then the commands it returns.
 */
export function scenario<D extends EventDefinition>(
  event: D,
  handler: EventHandler<RecordedEvent<MessageOf<D>>>,
  options?: ScenarioOptions,
): Scenario<InputOf<D>, undefined>;
export function scenario(
  subject: Receptor<any, any, any> | EventDefinition,
  second?: unknown,
  third?: ScenarioOptions,
): Scenario<any, any> {
  if (typeof subject === 'function' && subject.kind === 'event') {
    if (typeof second !== 'function') {
      throw invalidArgument(
        `scenario(${subject.type}, handler) needs the event handler as its second argument.`,
      );
    }
    return stage(
      { kind: 'handler', handler: second as EventHandler, event: subject, type: subject.type },
      third ?? {},
      [],
    );
  }
  const receptor = subject as Receptor;
  if (typeof receptor?.decide !== 'function' || typeof receptor.command?.type !== 'string') {
    throw invalidArgument(
      'scenario() takes a receptor made by defineReceptor(), or an event definition and its handler.',
    );
  }
  const options = (typeof second === 'object' ? (second as ScenarioOptions | null) : null) ?? {};
  return stage({ kind: 'receptor', receptor, type: receptor.command.type }, options, []);
}

function stage(
  subject: Subject,
  options: ScenarioOptions,
  given: readonly Event[],
): Scenario<any, any> {
  return {
    given: (...events) => {
      checkEvents(events, '.given()');
      return stage(subject, options, [...given, ...events]);
    },
    when: (message) => {
      checkMessages([message], '.when()');
      const kind = subject.kind === 'receptor' ? 'command' : 'event';
      if (message.kind !== kind || message.type !== subject.type) {
        throw invalidArgument(
          `This scenario is about the ${subject.kind === 'receptor' ? 'receptor' : 'handler'} of ${subject.type}; .when() takes a ${kind} ${subject.type}, got the ${message.kind} ${message.type}.`,
        );
      }
      const play = (): Promise<ScenarioOutcome> =>
        subject.kind === 'receptor'
          ? playReceptor(subject.receptor, options, given, message as Command)
          : playHandler(subject, options, given, message as Event);
      return expectations(subject.type, given, message, options.tenant, play);
    },
  };
}

type App = Whizbang<Command, Record<string, unknown>>;

/** The messages a receptor or handler returned, and the value `localInvoke` would resolve to. */
function unpack(output: unknown): { value: unknown; messages: readonly Message[] | undefined } {
  if (isReply(output)) return { value: output.value, messages: output.messages };
  if (isMessage(output)) return { value: output, messages: [output] };
  if (Array.isArray(output) && output.length > 0 && output.every(isMessage))
    return { value: output, messages: output };
  return { value: output, messages: undefined };
}

const isCommand = (m: Message): m is Command => m.kind === 'command';

/** The receptor, except that the commands it returns are kept in `sent` instead of being sent. */
function capturing(receptor: Receptor, sent: { commands: Command[] }): Receptor {
  return {
    ...receptor,
    decide: (command, state, context) => {
      sent.commands = []; // a retried decision replaces the one before
      return chain(receptor.decide(command, state, context), (output) => {
        const { value, messages } = unpack(output);
        const commands = messages?.filter(isCommand) ?? [];
        if (commands.length === 0) return output;
        sent.commands = commands;
        return reply(
          value,
          messages!.filter((m) => m.kind === 'event'),
        );
      });
    },
  };
}

async function playReceptor(
  receptor: Receptor,
  options: ScenarioOptions,
  given: readonly Event[],
  command: Command,
): Promise<ScenarioOutcome> {
  const sent = { commands: [] as Command[] };
  const app = whizbang('scenario').receptor(capturing(receptor, sent)).build() as unknown as App;
  const tenant = options.tenant === undefined ? {} : { tenant: options.tenant };
  const failed = (streamId: string | undefined, error: unknown, events: RecordedEvent[] = []) => ({
    streamId,
    events,
    commands: [],
    value: undefined,
    threw: true,
    error,
  });
  try {
    let streamId: string | undefined;
    try {
      // the stream is named from the command as the receptor will see it (validated)
      streamId = receptor.stream?.(await validate(command, receptor.command.schema));
    } catch (error) {
      return failed(undefined, error);
    }
    if (given.length > 0) {
      if (streamId === undefined) {
        throw invalidArgument(
          `The receptor of ${command.type} has no stream, so given events have nowhere to go: drop .given(…) or give the receptor a stream.`,
        );
      }
      await app.publishMany(given, { stream: streamId, ...tenant });
    }
    const appended = async (): Promise<RecordedEvent[]> =>
      streamId === undefined
        ? []
        : await app.ledger.readStream(streamId, { ...tenant, from: given.length + 1 });
    let value: unknown;
    try {
      value = await app.localInvoke(command, tenant);
    } catch (error) {
      return failed(streamId, error, await appended());
    }
    const events = await appended();
    return { streamId, events, commands: sent.commands, value, threw: false, error: undefined };
  } finally {
    await app.close();
  }
}

async function playHandler(
  subject: Extract<Subject, { kind: 'handler' }>,
  options: ScenarioOptions,
  given: readonly Event[],
  event: Event,
): Promise<ScenarioOutcome> {
  const sent = { commands: [] as Command[], on: false };
  // Commands are kept (only those caused by the `when` event); events go on, for the runtime to refuse.
  const handler: EventHandler = (recorded, context) =>
    chain(subject.handler(recorded, context), (output) => {
      const messages = unpack(output).messages;
      if (messages === undefined) return undefined;
      if (sent.on) sent.commands.push(...messages.filter(isCommand));
      const events = messages.filter((m) => m.kind === 'event');
      return events.length === 0 ? undefined : events;
    });
  const app = whizbang('scenario').on(subject.event, handler).build() as unknown as App;
  const stream = options.stream ?? TEST_STREAM;
  const target = { stream, ...(options.tenant === undefined ? {} : { tenant: options.tenant }) };
  try {
    if (given.length > 0) await app.publishMany(given, target);
    sent.on = true;
    try {
      await app.publish(event, target);
    } catch (error) {
      return { streamId: stream, events: [], commands: [], value: undefined, threw: true, error };
    }
    return {
      streamId: stream,
      events: [],
      commands: sent.commands,
      value: undefined,
      threw: false,
      error: undefined,
    };
  } finally {
    await app.close();
  }
}
