/**
 * The lease conformance suite: every lease store runs it unchanged, through two handles on one
 * storage (two connections, two file handles, two clients), as two instances of an app would.
 * At most one live owner per name; a token that grows on every change of hands; an expired lease
 * taken over, and the old owner's renewals and releases refused after.
 * @module
 */
import { faker } from '@faker-js/faker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caught, sleep } from './helpers.ts';
import { isWhizbangError, type Lease, type LeaseStore } from './whizbang.ts';

/** Two handles on one lease storage, as two instances see it, and how to close them. */
export interface LeaseHarness {
  /** The first instance's handle. */
  readonly a: LeaseStore;
  /** The second instance's handle (may be the same object where one process is all there is). */
  readonly b: LeaseStore;
  /** Closes what the harness opened. */
  close?(): Promise<void> | void;
}

/** Options of {@link leaseConformance}. */
export interface LeaseConformanceOptions {
  /**
   * A time to live short enough to wait out in a test, ms (default 300). A store whose clock is
   * coarse (a server's) may ask for more.
   */
  readonly shortTtlMs?: number;
}

/**
 * Registers the lease conformance tests for the harness `factory` makes, fresh per test. Names are
 * random, so the storage need not be emptied between tests.
 *
 * @example
 * ```ts
 * import { leaseConformance } from 'whizbang/conformance';
 * import { memoryLeases } from 'whizbang';
 *
 * leaseConformance('memory', () => {
 *   const leases = memoryLeases();
 *   return { a: leases, b: leases };
 * });
 * ```
 */
export function leaseConformance(
  name: string,
  factory: () => Promise<LeaseHarness> | LeaseHarness,
  options: LeaseConformanceOptions = {},
): void {
  const short = options.shortTtlMs ?? 300;
  const long = 60_000;
  describe(`${name}: lease conformance`, () => {
    let harness: LeaseHarness | undefined;
    beforeEach(async () => {
      harness = await factory();
    });
    afterEach(async () => {
      const open = harness;
      harness = undefined;
      await open?.close?.();
    });
    const h = (): LeaseHarness => {
      if (harness === undefined) throw new Error('No harness: use it inside a test.');
      return harness;
    };
    const fresh = (): string => `work:${faker.string.alphanumeric(12)}`;

    it('gives a free lease to the first owner, and refuses another while it lives', async () => {
      const { a, b } = h();
      const work = fresh();
      const lease = await a.acquire(work, 'one', long);
      expect(lease).toMatchObject({ name: work, owner: 'one' });
      expect(lease!.expiresAt).toBeGreaterThan(Date.now() + long / 2);
      expect(await b.acquire(work, 'two', long)).toBeUndefined();
      expect(await a.acquire(work, 'two', long)).toBeUndefined();
      // the owner asking again renews, with the same token
      const again = await b.acquire(work, 'one', long);
      expect(again).toMatchObject({ name: work, owner: 'one', token: lease!.token });
    });

    it('renews only the lease as held', async () => {
      const { a, b } = h();
      const work = fresh();
      const lease = (await a.acquire(work, 'one', short))!;
      const renewed = await b.renew(lease, long);
      expect(renewed).toMatchObject({ owner: 'one', token: lease.token });
      expect(renewed!.expiresAt).toBeGreaterThan(lease.expiresAt);
      expect(await a.renew({ ...lease, token: lease.token + 1 }, long)).toBeUndefined();
      expect(await a.renew({ ...lease, owner: 'two' }, long)).toBeUndefined();
      await sleep(short * 2); // renewed for long: still held
      expect(await b.acquire(work, 'two', long)).toBeUndefined();
    });

    it('hands an expired lease over with a greater token, and refuses the old owner after', async () => {
      const { a, b } = h();
      const work = fresh();
      const old = (await a.acquire(work, 'one', short))!;
      await sleep(short * 2);
      expect((await a.list(work)).map((l) => l.name)).toEqual([]);
      const taken = (await b.acquire(work, 'two', long))!;
      expect(taken).toMatchObject({ owner: 'two' });
      expect(taken.token).toBeGreaterThan(old.token);
      expect(await a.renew(old, long)).toBeUndefined();
      await a.release(old); // the old owner's release leaves the new owner's lease alone
      expect(await a.acquire(work, 'one', long)).toBeUndefined();
      expect((await b.list(work)).map((l) => [l.owner, l.token])).toEqual([['two', taken.token]]);
    });

    it('lets another owner take a released lease at once', async () => {
      const { a, b } = h();
      const work = fresh();
      const lease = (await a.acquire(work, 'one', long))!;
      await a.release(lease);
      expect(await a.renew(lease, long)).toBeUndefined();
      const taken = await b.acquire(work, 'two', long);
      expect(taken).toMatchObject({ owner: 'two' });
      expect(taken!.token).toBeGreaterThan(lease.token);
    });

    it('gives a lease to exactly one of many owners asking at once', async () => {
      const { a, b } = h();
      for (let round = 0; round < 3; round++) {
        const work = fresh();
        const owners = Array.from({ length: 8 }, (_, i) => `owner-${i}`);
        const got = await Promise.all(
          owners.map((owner, i) => (i % 2 === 0 ? a : b).acquire(work, owner, long)),
        );
        const winners = got.filter((l): l is Lease => l !== undefined);
        expect(winners).toHaveLength(1);
        const listed = await a.list(work);
        expect(listed.map((l) => l.owner)).toEqual([winners[0]!.owner]);
      }
    });

    it('lists the live leases under a prefix, by name', async () => {
      const { a, b } = h();
      const base = fresh();
      await a.acquire(`${base}:b`, 'one', long);
      await b.acquire(`${base}:a`, 'two', long);
      const gone = (await a.acquire(`${base}:c`, 'one', long))!;
      await a.release(gone);
      await a.acquire(`${base}:d`, 'one', short);
      await a.acquire(`${fresh()}:x`, 'one', long);
      await sleep(short * 2);
      const listed = await b.list(`${base}:`);
      expect(listed.map((l) => [l.name, l.owner])).toEqual([
        [`${base}:a`, 'two'],
        [`${base}:b`, 'one'],
      ]);
    });

    it('refuses a bad name, owner or time to live with INVALID_ARGUMENT', async () => {
      const { a } = h();
      for (const call of [
        () => a.acquire('', 'one', long),
        () => a.acquire(fresh(), '', long),
        () => a.acquire(`bad\0name`, 'one', long),
        () => a.acquire(fresh(), 'one', 0),
        () => a.acquire(fresh(), 'one', 1.5),
        () => a.acquire(fresh(), 'one', Number.NaN),
      ]) {
        const error = await caught(call);
        expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
      }
    });
  });
}
