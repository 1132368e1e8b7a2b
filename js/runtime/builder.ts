/**
 * Building an app: register receptors, perspectives and event handlers, then `build`. The builder's
 * type records every handled command, so sending one that nothing handles does not compile.
 */
import type { Driver } from '../contracts/driver.ts';
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { BackgroundFailure, Observer } from '../contracts/observer.ts';
import type { RouteTarget } from '../contracts/outbox.ts';
import type { Perspective } from '../definitions/perspective.ts';
import type { Policy, PolicyMatch } from '../definitions/policy.ts';
import type { Receptor, ResultOf } from '../definitions/receptor.ts';
import { memoryDriver } from '../memory/driver.ts';
import type {
  Command,
  CommandDefinition,
  EventDefinition,
  InputOf,
  MessageDefinition,
  MessageKind,
  MessageOf,
} from '../messages/message.ts';
import { invalidArgument, wholeOption } from '../util/errors.ts';
import { createApp } from './app.ts';
import type { CoordinateOptions } from './coordinate.ts';
import type { PoisonOptions } from './projector.ts';
import { type EventHandler, Registry } from './registry.ts';
import type { ScheduleOptions } from './scheduler.ts';
import type { SnapshotIssue } from './state-cache.ts';
import type { Whizbang } from './types.ts';

/** Options of {@link WhizbangBuilder.build}. */
export interface BuildOptions {
  /** Storage backend (default: a new memory driver). */
  readonly driver?: Driver;
  /** Service name recorded on hops (default: the builder's name). */
  readonly name?: string;
  /** How deep cascades may go before a loop is assumed (default 64). */
  readonly maxCascadeDepth?: number;
  /** Streams whose folded state is kept between commands, per state definition (default 10 000; 0 disables). */
  readonly stateCacheSize?: number;
  /**
   * Take a snapshot of a stateful receptor's state every this many events (default 0: never).
   * Needs a driver with `snapshots` and a named state (`defineState({ name, … })`).
   */
  readonly snapshotEvery?: number;
  /** Told of each snapshot that was ignored (corrupt, unreadable) or not saved; commands go on without it. */
  readonly onSnapshotError?: (issue: SnapshotIssue) => void;
  /** See every handled message after its step (trace store, OpenTelemetry, the playground). */
  readonly observers?: readonly Observer[];
  /**
   * Told of every failure of background work (an async perspective that cannot start, an event it
   * retries, parks or stops on), besides the observers' `onBackgroundError`. What it throws is
   * ignored.
   */
  readonly onError?: (failure: BackgroundFailure) => void;
  /**
   * An event an async perspective cannot apply: retried `retries` times (default 3) with doubling
   * pauses from `backoffMs` (default 100), then parked (skipped, reported) with
   * `afterRetries: 'park'`, or the perspective stops (`'stop'`, the default; `waitForPerspectives`
   * rejects).
   */
  readonly poisonEvents?: PoisonOptions;
  /**
   * How long an asynchronous receptor may take to answer before the command fails with `TIMEOUT`
   * and nothing of it is appended, ms (default 30 000; 0: no deadline). A timeout policy sets a
   * tighter one per command.
   */
  readonly receptorTimeoutMs?: number;
  /**
   * Share background work with the other instances on the same database: each async perspective
   * and outbox relay runs in one live instance at a time, by the driver's leases, and moves to
   * another when its owner stops renewing them. `true` takes the defaults.
   */
  readonly coordinate?: CoordinateOptions | true;
  /**
   * Keep scheduled commands (`sendAt`, `sendAfter`, and sagas' `timeouts` perspectives) and send
   * them when due: registers the async perspective `whizbang-schedules` and runs the scheduler
   * (in one instance at a time with `coordinate`). `true` takes the defaults.
   */
  readonly schedules?: ScheduleOptions | true;
}

/** Options of {@link WhizbangBuilder.route}. */
export interface RouteOptions {
  /** Default `'outbox'`. */
  readonly to?: RouteTarget;
  /** Default `whizbang.commands.<Type>` / `whizbang.events.<Type>` (`whizbang.invoke.<Type>` for `'remote'`). */
  readonly topic?: string;
  /** For `'remote'`: how long `localInvoke` and `send` wait for the answer, ms (default 5000). */
  readonly timeoutMs?: number;
}

/** Accumulates an app's parts and their types. */
export interface WhizbangBuilder<C extends Command, R extends Record<string, unknown>> {
  /** Registers a receptor: its command becomes sendable. */
  receptor<RC extends Command, RR, RI extends Command>(
    receptor: Receptor<RC, RR, RI>,
  ): WhizbangBuilder<C | RI, R & { [K in RC['type']]: ResultOf<RR> }>;
  /** Registers a perspective (and the lens that reads it). */
  perspective(perspective: Perspective<any, any>): WhizbangBuilder<C, R>;
  /** Registers an event handler: it reacts to each recorded event of that type. */
  on<D extends EventDefinition>(
    event: D,
    handler: EventHandler<RecordedEvent<MessageOf<D>>>,
  ): WhizbangBuilder<C, R>;
  /**
   * Registers event definitions the app appends or reads without a perspective or handler naming
   * them, so that their schemas validate and their versions upcast.
   */
  events(...definitions: EventDefinition[]): WhizbangBuilder<C, R>;
  /**
   * Adds a policy (retry, timeout, cache, circuit breaker) for the commands it matches (all when
   * no match is given). Policies wrap in the order added: the first is the outermost.
   */
  policy(policy: Policy, match?: PolicyMatch): WhizbangBuilder<C, R>;
  /**
   * Routes a command or event out of the process: `'outbox'` (written to the outbox in the same
   * transaction, delivered by `app.relay(transport)`), `'both'` (here and out), `'local'`, or for
   * events `'ledger-only'` (recorded, not fanned out to handlers). A command routed out becomes
   * sendable even with no receptor here.
   *
   * `'remote'` (commands): with no receptor here, `localInvoke` and `send` invoke the receptor of
   * the app that answers on the topic (through the transport given to `app.listen`) and resolve
   * with what it returned. Its result type is `Result` (default `unknown`).
   */
  route<D extends CommandDefinition<string, any, any>, Result = unknown>(
    definition: D,
    options: RouteOptions & { readonly to: 'remote' },
  ): WhizbangBuilder<C | InputOf<D>, R & { [K in D['type']]: Result }>;
  /** Routes a command elsewhere (`'outbox'` or `'ledger-only'`): sendable here with no receptor. */
  route<D extends CommandDefinition<string, any, any>>(
    definition: D,
    options: RouteOptions,
  ): WhizbangBuilder<C | InputOf<D>, R & { [K in D['type']]: never }>;
  /** Routes an event elsewhere: published to the outbox, or only recorded. */
  route(
    definition: EventDefinition<string, any, any>,
    options: RouteOptions,
  ): WhizbangBuilder<C, R>;
  /** Builds the app; async perspectives start catching up at once. */
  build(options?: BuildOptions): Whizbang<C, R>;
}

class Builder {
  readonly #registry = new Registry();
  readonly #name: string;

  constructor(name: string) {
    this.#name = name;
  }

  receptor(receptor: Receptor<any, any>): this {
    this.#registry.addReceptor(receptor);
    return this;
  }

  perspective(perspective: Perspective<any, any>): this {
    this.#registry.addPerspective(perspective);
    return this;
  }

  on(event: EventDefinition, handler: EventHandler<any>): this {
    this.#registry.addHandler(event, handler);
    return this;
  }

  route(definition: MessageDefinition<MessageKind, string, any, any>, options: RouteOptions): this {
    this.#registry.addRoute(
      definition,
      options?.to ?? 'outbox',
      options?.topic,
      options?.timeoutMs,
    );
    return this;
  }

  policy(policy: Policy, match?: PolicyMatch): this {
    this.#registry.addPolicy(policy, match);
    return this;
  }

  events(...definitions: EventDefinition[]): this {
    for (const d of definitions) {
      if (d?.kind !== 'event')
        throw invalidArgument('events() takes definitions made by defineEvent().');
      this.#registry.addEventSchema(d);
    }
    return this;
  }

  build(options: BuildOptions = {}): Whizbang<any, any> {
    const maxCascadeDepth = options.maxCascadeDepth ?? 64;
    const stateCacheSize = options.stateCacheSize ?? 10_000;
    const snapshotEvery = options.snapshotEvery ?? 0;
    for (const [name, value] of [
      ['maxCascadeDepth', maxCascadeDepth],
      ['stateCacheSize', stateCacheSize],
      ['snapshotEvery', snapshotEvery],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw invalidArgument(`${name} must be a whole number ≥ 0, got ${value}.`);
    }
    return createApp(this.#registry, {
      driver: options.driver ?? memoryDriver(),
      name: options.name ?? this.#name,
      maxCascadeDepth,
      stateCacheSize,
      snapshotEvery,
      onSnapshotError: options.onSnapshotError,
      observers: options.observers ?? [],
      onError: options.onError,
      poisonEvents: options.poisonEvents ?? {},
      receptorTimeoutMs: wholeOption('receptorTimeoutMs', options.receptorTimeoutMs, 30_000),
      coordinate: options.coordinate === true ? {} : options.coordinate,
      schedules: options.schedules === true ? {} : options.schedules,
    });
  }
}

/**
 * Starts building a Whizbang app.
 * @example
 * const app = whizbang('bank').receptor(openAccount).receptor(deposit).perspective(balances).build();
 * await app.send(OpenAccount({ accountId: 'a-1', owner: 'Ada' }));
 * console.log(await app.lens(balances).get('a-1'));
 */
export function whizbang(name = 'whizbang'): WhizbangBuilder<never, Record<never, never>> {
  return new Builder(name) as unknown as WhizbangBuilder<never, Record<never, never>>;
}
