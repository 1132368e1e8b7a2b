/**
 * Leases: how several instances of one app share background work (an async perspective, the
 * outbox relay) so that each piece has one live owner at a time. A lease is held for a time to
 * live and kept by renewing it (a heartbeat); an owner that stops renewing loses it when it
 * expires, and another instance takes it over. A driver that can be shared by several processes
 * offers a {@link LeaseStore} (optional capability `Driver.leases`).
 */
import type { MaybePromise } from '../util/maybe.ts';

/** A lease as held: what it covers, who holds it, and until when. */
export interface Lease {
  /** What the lease covers (`perspective:balances`, `relay`, …). */
  readonly name: string;
  /** The instance holding it. */
  readonly owner: string;
  /**
   * Grows by one each time the lease changes hands (never on a renewal): a renewal or a release
   * with an older token is refused, so an owner that was taken over cannot act on it again.
   */
  readonly token: number;
  /** When it expires unless renewed, epoch milliseconds (by the store's clock). */
  readonly expiresAt: number;
}

/** Where leases are kept: every instance sharing the work uses the same store. */
export interface LeaseStore {
  /**
   * Takes the lease `name` for `owner` for `ttlMs` when nobody holds it, its holder let it
   * expire, or `owner` holds it already (then it is renewed). Undefined when another owner holds
   * it and it has not expired. Two instances asking at once: at most one gets it.
   */
  acquire(name: string, owner: string, ttlMs: number): MaybePromise<Lease | undefined>;
  /** Extends a lease still held as `lease` (same owner and token); undefined when it was lost. */
  renew(lease: Lease, ttlMs: number): MaybePromise<Lease | undefined>;
  /** Gives a lease up at once (when still held as `lease`), so another instance can take it. */
  release(lease: Lease): MaybePromise<void>;
  /** The leases not expired whose names start with `prefix` (default: all), by name. */
  list(prefix?: string): MaybePromise<Lease[]>;
}
