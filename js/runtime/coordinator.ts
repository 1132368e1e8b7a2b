/**
 * The work coordinator: each piece of background work an app runs (an async perspective, the
 * outbox relay) has one live owner among the instances sharing a driver, through the driver's
 * leases. Every heartbeat an instance renews its own instance lease and the leases of the work it
 * runs, stops the work whose lease it lost, gives up work beyond its fair share (work count over
 * live instances, rounded up) and takes free or expired work up to that share. Work is stopped
 * before its lease is released, and started only once its lease is held. The app loads this
 * module only when built with `coordinate` (js/runtime/lazy-coordinator.ts stands in meanwhile).
 */
import type { Lease, LeaseStore } from '../contracts/lease.ts';
import type { BackgroundFailure } from '../contracts/observer.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { platform, type Timer, unref } from '../util/platform.ts';
import type { CoordinateSettings, Work, WorkSharing } from './coordinate.ts';

/** The prefix of instance leases (one per live instance, for the fair share). */
const INSTANCE = 'instance:';

/** Starts and stops an instance's share of the background work, by lease. */
export class Coordinator implements WorkSharing {
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

  /** A coordinator over `leases` with checked `settings` (see `coordinateSettings`). */
  constructor(
    leases: LeaseStore,
    settings: CoordinateSettings,
    report: (failure: BackgroundFailure) => void,
  ) {
    this.instance = settings.instance;
    this.#ttl = settings.ttlMs;
    this.#heartbeat = settings.heartbeatMs;
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
