/**
 * Leases in memory: for several apps on one memory driver in one process (tests, and the
 * coordinator's reference semantics). Every call is synchronous, so a check and its write are one
 * step.
 */
import type { Lease, LeaseStore } from '../contracts/lease.ts';
import { checkLeaseName, checkLeaseTtl } from '../kit/leases.ts';

/** Options of {@link memoryLeases}. */
export interface MemoryLeasesOptions {
  /** The clock, epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** A lease store in memory. */
export function memoryLeases(options: MemoryLeasesOptions = {}): LeaseStore {
  const now = options.now ?? Date.now;
  const held = new Map<string, Lease>();
  const holds = (lease: Lease): boolean => {
    const current = held.get(lease.name);
    return (
      current !== undefined &&
      current.owner === lease.owner &&
      current.token === lease.token &&
      current.expiresAt > now()
    );
  };
  return {
    acquire(name: string, owner: string, ttlMs: number): Lease | undefined {
      checkLeaseName('lease name', name);
      checkLeaseName('owner', owner);
      checkLeaseTtl(ttlMs);
      const at = now();
      const current = held.get(name);
      if (current !== undefined && current.owner !== owner && current.expiresAt > at)
        return undefined;
      const token =
        current === undefined
          ? 1
          : current.owner === owner && current.expiresAt > at
            ? current.token
            : current.token + 1;
      const lease: Lease = { name, owner, token, expiresAt: at + ttlMs };
      held.set(name, lease);
      return lease;
    },
    renew(lease: Lease, ttlMs: number): Lease | undefined {
      checkLeaseTtl(ttlMs);
      if (!holds(lease)) return undefined;
      const renewed: Lease = { ...lease, expiresAt: now() + ttlMs };
      held.set(lease.name, renewed);
      return renewed;
    },
    release(lease: Lease): void {
      // kept, expired, so that the next owner's token is still greater
      if (holds(lease)) held.set(lease.name, { ...lease, expiresAt: 0 });
    },
    list(prefix = ''): Lease[] {
      const at = now();
      return [...held.values()]
        .filter((l) => l.name.startsWith(prefix) && l.expiresAt > at)
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
