/**
 * The hostile-input conformance suite: what a driver does with input a careless or hostile user
 * sends. The property, on every driver: the same answer as the memory driver (the reference), or
 * a coded refusal (`WhizbangError`, the same code) with nothing written — never a raw error, a
 * crash, a hang or a partial write.
 * @module
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Limits, limitsOf } from '../kit/mod.ts';
import { type DriverFactory, useDriver } from './helpers.ts';
import { hostileEvents, hostileId, hostileQuery, MODELS } from './hostile/inputs.ts';
import { type Outcome, outcome, sameOutcome } from './hostile/outcome.ts';
import type { Driver, NewEvent, Query } from './whizbang.ts';
import { memoryDriver } from './whizbang.ts';

/** Knobs of {@link hostileConformance}. */
export interface HostileConformanceOptions {
  /** fast-check runs per property (default 25; `npm run test:hostile` runs many more). */
  readonly numRuns?: number;
  /** The seed of the runs (default: a new one each run, printed when a property fails). */
  readonly seed?: number;
  /** The limits the factory's driver was made with (default `DEFAULT_LIMITS`). */
  readonly limits?: Partial<Limits>;
  /** How long one call may take before it counts as a hang, ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Whether the lens-query property runs (default true: the driver's store answers queries). */
  readonly queries?: boolean;
}

const P = 'hostile';

/**
 * Registers the hostile-input tests for the driver `factory` makes, fresh per test: appends of
 * hostile ids, tenants, types and payloads; hostile and huge lens queries; calls after `close()`.
 *
 * @example
 * ```ts
 * import { hostileConformance } from 'whizbang/conformance';
 * import { myDriver } from '../src/mod.ts';
 *
 * hostileConformance('my driver', () => myDriver(), { numRuns: 20 });
 * ```
 */
export function hostileConformance(
  name: string,
  factory: DriverFactory,
  options: HostileConformanceOptions = {},
): void {
  const limits = limitsOf(options.limits ?? {});
  const runs = {
    numRuns: options.numRuns ?? 25,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  };
  const timeoutMs = options.timeoutMs ?? 10_000;
  const run = (fn: () => unknown): Promise<Outcome> => outcome(fn, timeoutMs);

  describe(`${name}: hostile-input conformance`, () => {
    const driver = useDriver(factory);

    it('an append of hostile ids, tenants, types or payloads: the reference answer, or a coded refusal writing nothing', async () => {
      const subject = driver.current;
      const reference = memoryDriver({ limits });
      await fc.assert(
        fc.asyncProperty(
          hostileId(limits),
          fc.option(hostileId(limits), { nil: undefined }),
          hostileEvents(limits),
          async (streamId, tenant, events) => {
            const opts = tenant === undefined ? {} : { tenant: tenant as string };
            const append = (d: Driver) => async () => {
              const r = await d.ledger.append(streamId as string, events as NewEvent[], opts);
              return {
                streamId: r.streamId,
                version: r.version,
                position: r.position,
                n: r.events.length,
              };
            };
            const headBefore = await run(() => subject.ledger.headPosition());
            const expected = await run(append(reference));
            const got = await run(append(subject));
            sameOutcome(got, expected);
            const headAfter = await run(() => subject.ledger.headPosition());
            expect(headAfter).toEqual(await run(() => reference.ledger.headPosition()));
            if (got.refused !== undefined) {
              expect(headAfter).toEqual(headBefore); // nothing written
              return;
            }
            const read = (d: Driver) => async () =>
              (await d.ledger.readStream(streamId as string, opts)).map(visible);
            sameOutcome(await run(read(subject)), await run(read(reference)));
          },
        ),
        runs,
      );
    });

    it('reads of hostile ids and tenants: the reference answer, or a coded refusal', async () => {
      const subject = driver.current;
      const reference = memoryDriver({ limits });
      await subject.ledger.append('s', [{ type: 'T', data: { n: 1 } }]);
      reference.ledger.append('s', [{ type: 'T', data: { n: 1 } }]);
      await fc.assert(
        fc.asyncProperty(
          hostileId(limits),
          fc.option(hostileId(limits), { nil: undefined }),
          fc.option(fc.array(hostileId(limits), { maxLength: 3 }), { nil: undefined }),
          async (streamId, tenant, types) => {
            const opts = tenant === undefined ? {} : { tenant: tenant as string };
            const both = async (call: (d: Driver) => unknown) =>
              sameOutcome(await run(() => call(subject)), await run(() => call(reference)));
            await both(async (d) =>
              (await d.ledger.readStream(streamId as string, opts)).map(visible),
            );
            await both((d) => d.ledger.streamVersion(streamId as string, opts));
            const all = types === undefined ? opts : { ...opts, types: types as string[] };
            await both(async (d) => (await d.ledger.readAll(all)).map(visible));
          },
        ),
        runs,
      );
      const many = Array.from({ length: limits.maxInValues + 1 }, (_, i) => `T${i}`);
      sameOutcome(await run(() => subject.ledger.readAll({ types: many })), {
        refused: 'INVALID_ARGUMENT',
      });
    });

    if (options.queries !== false) {
      it('a hostile or huge lens query: the reference answer, or INVALID_QUERY before it runs', async () => {
        const subject = driver.current;
        const reference = memoryDriver({ limits });
        for (const d of [subject, reference]) {
          await d.store.transaction((tx) => {
            let pending: unknown;
            for (const { id, model } of MODELS) {
              pending = tx.put(P, {
                id,
                tenant: 'default',
                model,
                version: 1,
                position: 1,
                updatedAt: 0,
              });
            }
            return pending as never;
          });
        }
        await fc.assert(
          fc.asyncProperty(hostileQuery(limits), async (generated) => {
            const query = withIdOrder(generated);
            const ask = (d: Driver) => async () =>
              (await d.store.query(P, 'default', query)).map((r) => r.id);
            sameOutcome(await run(ask(subject)), await run(ask(reference)));
          }),
          runs,
        );
      });
    }

    it('calls after close() are refused with CLOSED', async () => {
      const subject = driver.current;
      if (subject.close === undefined) return; // a driver that holds nothing to close
      await subject.close();
      for (const call of [
        () => subject.ledger.append('s', [{ type: 'T', data: {} }]),
        () => subject.ledger.readStream('s'),
        () => subject.ledger.readAll(),
        () => subject.store.get(P, 'default', 'm1'),
        () => subject.store.query(P, 'default', {}),
      ]) {
        const got = await run(call);
        expect(got.refused, `after close: ${String(call)}`).toBe('CLOSED');
      }
    });
  });
}

/** What a read answers that does not depend on the driver (ids and times are made per driver). */
function visible(e: {
  type: string;
  data: unknown;
  metadata?: unknown;
  streamId: string;
  tenant: string;
  version: number;
  position: number;
}) {
  return {
    type: e.type,
    data: e.data,
    metadata: e.metadata ?? null,
    streamId: e.streamId,
    tenant: e.tenant,
    version: e.version,
    position: e.position,
  };
}

/** An ordinary query, sorted last by id, so that ties and paging answer alike everywhere. */
function withIdOrder(query: Query): Query {
  const order = query.orderBy;
  if (order !== undefined && !Array.isArray(order)) return query;
  return { ...query, orderBy: [...(order ?? []), { id: 'asc' }] };
}
