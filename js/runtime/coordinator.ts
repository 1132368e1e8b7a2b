/**
 * The work coordinator: each piece of background work an app runs (an async perspective, the
 * outbox relay) has one live owner among the instances sharing a driver, through the driver's
 * leases. Every heartbeat an instance renews its own instance lease and the leases of the work it
 * runs, stops the work whose lease it lost, gives up work beyond its fair share (work count over
 * live instances, rounded up) and takes free or expired work up to that share. Work is stopped
 * before its lease is released, and started only once its lease is held.
 */
import type { Lease, LeaseStore } from '../contracts/lease.ts';
import type { BackgroundFailure } from '../contracts/observer.ts';
import { invalidArgument, wholeOption } from '../util/errors.ts';
import { uuidv7 } from '../util/ids.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { platform, type Timer, unref } from '../util/platform.ts';

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

/** The prefix of instance leases (one per live instance, for the fair share). */
const INSTANCE = 'instance:';

/** Starts and stops an instance's share of the background work, by lease. */
export class Coordinator implements Coordination {
  /** This instance's name. */
  readonly instance: string;
  readonly #leases: LeaseStore;
  readonly #ttl: number;
  readonly #heartbeat: number;
  readonly #report: (failure: BackgroundFailure) => void;
  readonly #work = new Map<string, Work>();
  readonly #held = new Map<string, { lease: Lease; renewedAt: number }>();
  #self: Lease | undefined;
  #timer: Timer | undefined;
  #tick: Promise<void> | undefined;
  #stopped = false;

  constructor(
    leases: LeaseStore,
    options: CoordinateOptions,
    report: (failure: BackgroundFailure) => void,
  ) {
    this.instance = options.instance ?? uuidv7();
    if (typeof this.instance !== 'string' || this.instance.length === 0)
      throw invalidArgument('coordinate.instance must be a non-empty string.');
    this.#ttl = wholeOption('coordinate.ttlMs', options.ttlMs, 10_000);
    this.#heartbeat = wholeOption(
      'coordinate.heartbeatMs',
      options.heartbeatMs,
      Math.max(Math.floor(this.#ttl / 3), 1),
    );
    if (this.#heartbeat >= this.#ttl)
      throw invalidArgument('coordinate.heartbeatMs must be shorter than coordinate.ttlMs.');
    this.#leases = leases;
    this.#report = report;
  }

  /** Adds work to share; it starts here once this instance holds its lease. */
  add(work: Work): void {
    this.#work.set(work.name, work);
    this.#schedule(0);
  }

  /** Stops sharing `name`: stops it here and releases its lease. */
  async remove(name: string): Promise<void> {
    while (this.#tick !== undefined) await this.#tick;
    this.#work.delete(name);
    if (this.#held.has(name)) await this.#drop(name, true);
  }

  /** The names of the work this instance runs now. */
  get held(): readonly string[] {
    return [...this.#held.keys()];
  }

  /** True while this instance holds the lease of `name`. */
  owns(name: string): boolean {
    return this.#held.has(name);
  }

  /** Runs one heartbeat now (and waits for it); the next ones follow on their own. */
  async beat(): Promise<void> {
    while (this.#tick !== undefined) await this.#tick;
    if (this.#stopped) return;
    this.#tick = this.#round().finally(() => {
      this.#tick = undefined;
    });
    await this.#tick;
  }

  /** Stops every piece of work here and releases the leases, so others take over at once. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    platform.clearTimeout(this.#timer);
    while (this.#tick !== undefined) await this.#tick;
    for (const name of [...this.#held.keys()]) await this.#drop(name, true);
    if (this.#self !== undefined) await this.#quietly(() => this.#leases.release(this.#self!));
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    platform.clearTimeout(this.#timer);
    this.#timer = platform.setTimeout(() => {
      this.beat().finally(() => this.#schedule(this.#heartbeat));
    }, ms);
    unref(this.#timer);
  }

  async #round(): Promise<void> {
    const leases = this.#leases;
    const ttl = this.#ttl;
    const self = await this.#quietly(() =>
      leases.acquire(INSTANCE + this.instance, this.instance, ttl),
    );
    if (self !== undefined) this.#self = self;
    // renew what is held; stop what was lost (or could not be renewed within its time to live)
    for (const [name, held] of [...this.#held]) {
      if (this.#stopped) return;
      let renewed: Lease | undefined;
      let failed = false;
      try {
        renewed = await leases.renew(held.lease, ttl);
      } catch (error) {
        failed = true;
        this.#failed(error);
      }
      if (renewed !== undefined) this.#held.set(name, { lease: renewed, renewedAt: Date.now() });
      // refused: taken over; failed: kept until its time to live is out (the store may be back)
      else if (!failed || Date.now() - held.renewedAt >= ttl) await this.#drop(name, false);
    }
    const instances = await this.#quietly(() => leases.list(INSTANCE));
    const live = Math.max(instances?.length ?? 1, 1);
    const share = Math.ceil(this.#work.size / live);
    // give up work beyond the fair share, newest instance first takes it
    for (const name of [...this.#held.keys()].slice(share)) await this.#drop(name, true);
    // take free work up to the share, each instance starting at its own place in the list
    const names = [...this.#work.keys()].sort();
    const offset = names.length === 0 ? 0 : hash(this.instance) % names.length;
    for (let i = 0; i < names.length && this.#held.size < share; i++) {
      if (this.#stopped) return;
      const name = names[(offset + i) % names.length]!;
      if (this.#held.has(name)) continue;
      const lease = await this.#quietly(() => leases.acquire(name, this.instance, ttl));
      if (lease === undefined) continue;
      this.#held.set(name, { lease, renewedAt: Date.now() });
      await this.#quietly(() => this.#work.get(name)!.start());
    }
  }

  #failed(error: unknown): void {
    this.#report({ source: 'coordinator', name: this.instance, error, outcome: 'retrying' });
  }

  /** Runs a lease or work call; a failure is reported and yields undefined. */
  async #quietly<T>(call: () => MaybePromise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.#failed(error);
      return undefined;
    }
  }

  /** Stops the work of `name` here; releases its lease when asked (and it is still held). */
  async #drop(name: string, release: boolean): Promise<void> {
    const held = this.#held.get(name);
    this.#held.delete(name);
    await this.#quietly(() => this.#work.get(name)?.stop());
    if (release && held !== undefined) await this.#quietly(() => this.#leases.release(held.lease));
  }
}

/** A small string hash (FNV-1a), to spread instances over the list of work. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
