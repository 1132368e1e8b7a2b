/**
 * Receptors: receive a command and decide what follows. Stateless receptors get the command;
 * stateful ones also get the state of the command's stream, folded from its events.
 */

import type { RecordedEvent } from '../contracts/ledger.ts';
import type { Envelope } from '../messages/envelope.ts';
import type {
  Command,
  CommandDefinition,
  Event,
  InputOf,
  Message,
  MessageOf,
} from '../messages/message.ts';
import { invalidArgument } from '../util/errors.ts';
import type { MaybePromise } from '../util/maybe.ts';
import type { AbortSignal } from '../util/platform.ts';
import type { Principal } from './principal.ts';

/** What a receptor knows besides the command. */
export interface ReceptorContext {
  /** The command's envelope: ids, tenant, hops. */
  readonly envelope: Envelope;
  /** The tenant the command was sent for. */
  readonly tenant: string;
  /** The stream the receptor decides on, when it has one. */
  readonly streamId: string | undefined;
  /** The stream version the state was folded to (0 for a new stream or a stateless receptor). */
  readonly version: number;
  /** Aborted when a policy (timeout) gives up on this decision; undefined when no policy applies. */
  readonly signal: AbortSignal | undefined;
  /**
   * Who sent the command (`send(command, { principal })`, or the user a sync server decides a
   * pushed command for); undefined for a command the app sent itself (a cascade, a transport).
   */
  readonly principal: Principal | undefined;
}

/** What a receptor's `authorize` hook is asked: may this principal send this command now? */
export interface ReceptorAuthorization<C extends Command = Command, S = unknown> {
  /** The command (validated). */
  readonly command: C;
  /** Who sent it. */
  readonly principal: Principal;
  /** The stream's current state (a stateful receptor), else undefined. */
  readonly state: S;
  /** The tenant it is decided in. */
  readonly tenant: string;
  /** The stream it decides on, when it has one. */
  readonly streamId: string | undefined;
}

/**
 * Whether a principal may send a command: `true` lets the receptor decide it; `false` or a reason
 * (a string) refuses it with a `ForbiddenError` (code `FORBIDDEN`) before anything is decided.
 */
export type ReceptorAuthorize<C extends Command = Command, S = unknown> = (
  request: ReceptorAuthorization<C, S>,
) => MaybePromise<boolean | string>;

/** How a stream's state is folded from its events. `evolve` must be pure: return a new state. */
export interface StateDefinition<S = unknown, E extends Event = Event> {
  /** The state of a stream with no event. */
  readonly initial: () => S;
  /** The state after `event`. */
  readonly evolve: (state: S, event: RecordedEvent<E>) => S;
  /** Names the state for snapshots (required to take them). */
  readonly name?: string;
  /** Bump when the state's shape changes: older snapshots are then ignored (default 1). */
  readonly version?: number;
}

/** Defines how to fold a stream's events into state; shared by the receptors of that stream. */
export function defineState<S, E extends Event = Event>(
  definition: StateDefinition<S, E>,
): StateDefinition<S, E> {
  if (typeof definition.initial !== 'function' || typeof definition.evolve !== 'function') {
    throw invalidArgument(
      'defineState needs `initial: () => state` and `evolve: (state, event) => state`.',
    );
  }
  return definition;
}

/** The brand of a {@link Reply} (`Symbol.for('whizbang.reply')`, so two copies of the library agree). */
export const REPLY: unique symbol = Symbol.for('whizbang.reply') as never;

/** A receptor's answer to `localInvoke` together with the messages that cascade from it. */
export interface Reply<V> {
  /** Marks a reply. */
  readonly [REPLY]: true;
  /** What `localInvoke` resolves to. */
  readonly value: V;
  /** The events and commands that follow, as a receptor's result would be. */
  readonly messages: readonly Message[];
}

/** Returns `value` to the caller of `localInvoke` and cascades `messages` (events are appended). */
export function reply<V>(
  value: V,
  ...messages: ReadonlyArray<Message | readonly Message[]>
): Reply<V> {
  return { [REPLY]: true, value, messages: messages.flat() };
}

/** True when `value` was made by {@link reply}. */
export function isReply(value: unknown): value is Reply<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[REPLY] === true
  );
}

/** What `localInvoke` resolves to for a receptor that returns `R`. */
export type ResultOf<R> = Unreply<Awaited<R>>;
/** `T` less a {@link Reply} around it: the value a reply carries, or `T` itself. */
export type Unreply<T> = T extends Reply<infer V> ? V : T;

/** A registered handler of one command type. */
export interface Receptor<
  C extends Command = Command<string, any>,
  R = unknown,
  I extends Command = C,
> {
  /** The command it handles. */
  readonly command: CommandDefinition<C['type'], C['data']>;
  /** The stream its events go to. */
  readonly stream: ((command: C) => string) | undefined;
  /** The stream's state, for a stateful receptor. */
  readonly state: StateDefinition<any, any> | undefined;
  /** Decides what follows from a command (and the stream's state). */
  readonly decide: (command: C, state: any, context: ReceptorContext) => MaybePromise<R>;
  /** How many times a decision is retried after a concurrency conflict. */
  readonly maxRetries: number;
  /** Asked before each decision of a command sent with a principal (see {@link ReceptorAuthorize}). */
  readonly authorize?: ReceptorAuthorize<any, any> | undefined;
  /**
   * False when `decide` does not take a context (its handler was declared without that parameter):
   * then none is made for it.
   */
  readonly readsContext?: boolean;
  /** Phantom: the result type, for the type-level registry. */
  readonly '~result'?: R;
  /** Phantom: the command as created (before validation), which is what `send` accepts. */
  readonly '~input'?: I;
}

/** A stateless receptor: `handle(command, context)`. */
export interface StatelessReceptorDefinition<D extends CommandDefinition, R> {
  /** The command it handles. */
  readonly command: D;
  /** The stream that returned events are appended to. */
  readonly stream?: (command: MessageOf<D>) => string;
  /** What follows from the command: events, commands, a `reply(…)`, or nothing. */
  readonly handle: (command: MessageOf<D>, context: ReceptorContext) => MaybePromise<R>;
  /**
   * Asked before the command is handled, when it was sent with a principal: `true` lets it
   * through, `false` or a reason refuses it with `FORBIDDEN`.
   */
  readonly authorize?: ReceptorAuthorize<MessageOf<D>, undefined>;
}

/** A stateful receptor: `decide(command, state, context)` over the stream's folded state. */
export interface StatefulReceptorDefinition<D extends CommandDefinition, S, R> {
  /** The command it handles. */
  readonly command: D;
  /** The stream the command decides on, whose events make the state. */
  readonly stream: (command: MessageOf<D>) => string;
  /** How the state is made from the stream's events. */
  readonly state: StateDefinition<S, any>;
  /** What follows from the command on the current state (decided again on a conflict). */
  readonly decide: (command: MessageOf<D>, state: S, context: ReceptorContext) => MaybePromise<R>;
  /** Retries after a concurrency conflict (default 3). */
  readonly maxRetries?: number;
  /**
   * Asked on the stream's current state before each decision (again on a retry), when the command
   * was sent with a principal: `true` lets it through, `false` or a reason refuses it with
   * `FORBIDDEN`.
   */
  readonly authorize?: ReceptorAuthorize<MessageOf<D>, S>;
}

/**
 * Defines a receptor. Whatever it returns cascades: events are appended to its stream, commands
 * are sent. Return `reply(value, ...messages)` to give `localInvoke` a value of its own.
 * @example
 * const deposit = defineReceptor({
 *   command: Deposit,
 *   stream: (c) => `account-${c.data.accountId}`,
 *   state: Account,
 *   decide: (c, account) => Deposited({ accountId: c.data.accountId, amount: c.data.amount }),
 * });
 */
export function defineReceptor<D extends CommandDefinition, S, R>(
  definition: StatefulReceptorDefinition<D, S, R>,
): Receptor<MessageOf<D>, R, InputOf<D>>;
/** Defines a stateless receptor: `handle` decides from the command alone. */
export function defineReceptor<D extends CommandDefinition, R>(
  definition: StatelessReceptorDefinition<D, R>,
): Receptor<MessageOf<D>, R, InputOf<D>>;
export function defineReceptor(
  definition:
    | StatefulReceptorDefinition<CommandDefinition, unknown, unknown>
    | StatelessReceptorDefinition<CommandDefinition, unknown>,
): Receptor<any, unknown> {
  if (typeof definition.command !== 'function' || definition.command.kind !== 'command') {
    throw invalidArgument('defineReceptor needs `command`: a definition made by defineCommand().');
  }
  const authorize = definition.authorize;
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw invalidArgument(
      '`authorize` is a function: ({ command, principal, state }) => true | false | reason.',
    );
  }
  if ('state' in definition && definition.state !== undefined) {
    if (typeof definition.stream !== 'function' || typeof definition.decide !== 'function') {
      throw invalidArgument(
        `The stateful receptor of "${definition.command.type}" needs \`stream: (command) => streamId\` and \`decide\`.`,
      );
    }
    const maxRetries = definition.maxRetries ?? 3;
    if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
      throw invalidArgument(`maxRetries must be a whole number ≥ 0, got ${maxRetries}.`);
    }
    return {
      command: definition.command,
      stream: definition.stream,
      state: definition.state,
      decide: definition.decide,
      maxRetries,
      readsContext: definition.decide.length !== 2,
      authorize,
    };
  }
  const stateless = definition as StatelessReceptorDefinition<CommandDefinition, unknown>;
  if (typeof stateless.handle !== 'function') {
    throw invalidArgument(
      `The receptor of "${definition.command.type}" needs \`handle: (command, context) => …\`.`,
    );
  }
  const handle = stateless.handle;
  return {
    command: definition.command,
    stream: stateless.stream,
    state: undefined,
    decide: (command, _state, context) => handle(command, context),
    maxRetries: 0,
    readsContext: handle.length !== 1,
    authorize,
  };
}
