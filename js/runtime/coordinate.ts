/**
 * The `coordinate` option, checked as the app is built: the settings of the work coordinator
 * (js/runtime/coordinator.ts, loaded only by an app built with `coordinate`) and the shapes the
 * rest of the runtime shares work through.
 */
import { invalidArgument, wholeOption } from '../util/errors.ts';
import { uuidv7 } from '../util/ids.ts';
import type { MaybePromise } from '../util/maybe.ts';

/** Options of the app's `coordinate`: how instances share background work. */
export interface CoordinateOptions {
  /** This instance's name, unique among the instances (default: a fresh random id). */
  readonly instance?: string;
  /** How long a lease lives without a heartbeat, ms (default 10 000): the longest takeover. */
  readonly ttlMs?: number;
  /** How often leases are renewed and free work looked for, ms (default a third of `ttlMs`). */
  readonly heartbeatMs?: number;
  /**
   * Async perspectives split into this many partitions by a hash of the model key, each with its
   * own checkpoint and lease, so that several instances share one perspective's work
   * (`{ balances: 4 }`). Every instance must give the same counts.
   */
  readonly partitions?: Readonly<Record<string, number>>;
}

/** A piece of background work the coordinator starts and stops. */
export interface Work {
  /** The lease name that covers it (`perspective:balances`, `relay`). */
  readonly name: string;
  /** Starts it (the lease is held). */
  start(): MaybePromise<void>;
  /** Stops it; resolves once nothing of it runs any more (the lease is released after). */
  stop(): MaybePromise<void>;
}

/** An app's share of the background work, as `app.coordination` shows it. */
export interface Coordination {
  /** This instance's name. */
  readonly instance: string;
  /** The names of the work this instance runs now (`perspective:<name>`, `relay`). */
  readonly held: readonly string[];
  /** Runs one heartbeat now: renews, gives up and takes work (the next ones follow on their own). */
  beat(): Promise<void>;
}

/** What the runtime shares work through: the coordinator, or its stand-in while it loads. */
export interface WorkSharing extends Coordination {
  /** Adds work to share; it starts here once this instance holds its lease. */
  add(work: Work): void;
  /** Stops sharing `name`: stops it here and releases its lease. */
  remove(name: string): Promise<void>;
  /** Stops every piece of work here and releases the leases. */
  stop(): Promise<void>;
}

/** The checked settings of a coordinator. */
export interface CoordinateSettings {
  /** This instance's name. */
  readonly instance: string;
  /** How long a lease lives without a heartbeat, ms. */
  readonly ttlMs: number;
  /** How often leases are renewed, ms (shorter than `ttlMs`). */
  readonly heartbeatMs: number;
}

/** Checks `coordinate` and fills in its defaults; bad settings throw `INVALID_ARGUMENT`. */
export function coordinateSettings(options: CoordinateOptions): CoordinateSettings {
  const instance = options.instance ?? uuidv7();
  if (typeof instance !== 'string' || instance.length === 0)
    throw invalidArgument('coordinate.instance must be a non-empty string.');
  const ttlMs = wholeOption('coordinate.ttlMs', options.ttlMs, 10_000);
  const heartbeatMs = wholeOption(
    'coordinate.heartbeatMs',
    options.heartbeatMs,
    Math.max(Math.floor(ttlMs / 3), 1),
  );
  if (heartbeatMs >= ttlMs)
    throw invalidArgument('coordinate.heartbeatMs must be shorter than coordinate.ttlMs.');
  return { instance, ttlMs, heartbeatMs };
}
