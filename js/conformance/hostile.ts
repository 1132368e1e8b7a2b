/**
 * The hostile-input conformance suite: what a driver does with input a careless or hostile user
 * sends. The property, on every driver: the same answer as the memory driver (the reference), or
 * a coded refusal (`WhizbangError`, the same code) with nothing written — never a raw error, a
 * crash, a hang or a partial write. Every listed hostile input runs once; fast-check then mixes
 * them with ordinary input.
 * @module
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Limits, limitsOf } from '../kit/mod.ts';
import { type DriverFactory, useDriver } from './helpers.ts';
import {
  hostileEvents,
  hostileId,
  hostileIds,
  hostilePayloads,
  hostileQueries,
  hostileQuery,
  MODELS,
} from './hostile/inputs.ts';
import { type Outcome, outcome, sameOutcome } from './hostile/outcome.ts';
import type { Driver, NewEvent, Query, RecordedEvent } from './whizbang.ts';
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
  /** Whether the store's lens queries are tested, and refused after close (default true). */
  readonly queries?: boolean;
  /** Whether appends are read back and reads tested (default true; false: appends and refusals). */
  readonly reads?: boolean;
}

const P = 'hostile';

/** What a read answers that does not depend on the driver (ids and times are made per driver). */
function visible(e: RecordedEvent): unknown {
  const { type, data, streamId, tenant, version, position } = e;
  return { type, data, metadata: e.metadata ?? null, streamId, tenant, version, position };
}

/** The memory driver beside the driver under test, holding what the driver took. */
class Reference {
  readonly #limits: Limits;
  readonly #took: Array<[string, NewEvent[], { tenant?: string }]> = [];
  driver: Driver;

  constructor(limits: Limits) {
    this.#limits = limits;
    this.driver = memoryDriver({ limits });
  }

  /** The driver took this append: the reference did too. */
  took(streamId: string, events: NewEvent[], opts: { tenant?: string }): void {
    this.#took.push([streamId, events, opts]);
  }

  /** The driver refused what the reference took: the reference again, from what the driver took. */
  remake(): void {
    this.driver = memoryDriver({ limits: this.#limits });
    for (const [streamId, events, opts] of this.#took) {
      this.driver.ledger.append(streamId, events, opts);
    }
  }
}

/** An ordinary query, sorted last by id, so that ties and paging answer alike everywhere. */
function withIdOrder(query: Query): Query {
  const order = query.orderBy;
  if (order !== undefined && !Array.isArray(order)) return query;
  return { ...query, orderBy: [...(order ?? []), { id: 'asc' }] };
}

/**
 * Registers the hostile-input tests for the driver `factory` makes, fresh per test: appends of
 * hostile ids, tenants, types and payloads; reads of hostile ids; hostile and huge lens queries;
 * calls after `close()`.
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
  const reads = options.reads !== false;
  const run = (fn: () => unknown): Promise<Outcome> => outcome(fn, timeoutMs);

  /**
   * One append on the driver and the reference: the same answer, or a coded refusal with nothing
   * written. A driver may refuse what the reference takes (a limit of its own, such as a broker's
   * largest message); the reference is then made again from what the driver did take.
   */
  async function appendBoth(
    subject: Driver,
    reference: Reference,
    streamId: unknown,
    tenant: unknown,
    events: unknown,
  ): Promise<void> {
    const opts = tenant === undefined ? {} : { tenant: tenant as string };
    const append = (d: Driver) => async () => {
      const r = await d.ledger.append(streamId as string, events as NewEvent[], opts);
      return { streamId: r.streamId, version: r.version, position: r.position, n: r.events.length };
    };
    const headBefore = await run(() => subject.ledger.headPosition());
    const got = await run(append(subject));
    const expected = await run(append(reference.driver));
    expect(got.broken).toBeUndefined();
    if (got.refused !== undefined) {
      expect(await run(() => subject.ledger.headPosition())).toEqual(headBefore); // nothing written
      if (expected.refused === undefined) reference.remake();
      else expect(got.refused).toBe(expected.refused);
      return;
    }
    sameOutcome(got, expected);
    reference.took(streamId as string, events as NewEvent[], opts);
    if (!reads) return;
    const read = (d: Driver) => async () =>
      (await d.ledger.readStream(streamId as string, opts)).map(visible);
    sameOutcome(await run(read(subject)), await run(read(reference.driver)));
  }

  async function queryBoth(subject: Driver, reference: Driver, query: Query): Promise<void> {
    const ask = (d: Driver) => async () =>
      (await d.store.query(P, 'default', withIdOrder(query))).map((r) => r.id);
    sameOutcome(await run(ask(subject)), await run(ask(reference)));
  }

  describe(`${name}: hostile-input conformance`, () => {
    const driver = useDriver(factory);

    it('every listed hostile id, tenant, type and payload: the reference answer, or a coded refusal writing nothing', async () => {
      const subject = driver.current;
      const reference = new Reference(limits);
      const event = { type: 'T', data: { n: 1 } };
      for (const id of hostileIds(limits)) {
        await appendBoth(subject, reference, id, undefined, [event]);
        await appendBoth(subject, reference, 's', id, [event]);
        await appendBoth(subject, reference, 's', undefined, [event, { type: id, data: {} }]);
        await appendBoth(subject, reference, 's', undefined, [{ ...event, messageId: id }]);
      }
      for (const make of hostilePayloads(limits)) {
        await appendBoth(subject, reference, 'p', undefined, [event, { type: 'T', data: make() }]);
        await appendBoth(subject, reference, 'p', undefined, [{ ...event, metadata: make() }]);
      }
      const many = new Array(limits.maxEventsPerAppend + 1).fill(event);
      await appendBoth(subject, reference, 'many', undefined, many);
      for (const events of [[null], [1], 'not events', {}, undefined]) {
        await appendBoth(subject, reference, 'odd', undefined, events);
      }
    });

    it('an append of generated ids, tenants, types and payloads: the reference answer, or a coded refusal writing nothing', async () => {
      const subject = driver.current;
      const reference = new Reference(limits);
      const maybe = fc.option(hostileId(limits), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(hostileId(limits), maybe, hostileEvents(limits), (id, tenant, events) =>
          appendBoth(subject, reference, id, tenant, events),
        ),
        runs,
      );
    });

    if (reads) {
      it('reads of hostile ids, tenants and types: the reference answer, or a coded refusal', async () => {
        const subject = driver.current;
        const reference = memoryDriver({ limits });
        await subject.ledger.append('s', [{ type: 'T', data: { n: 1 } }]);
        reference.ledger.append('s', [{ type: 'T', data: { n: 1 } }]);
        const both = async (call: (d: Driver) => unknown) =>
          sameOutcome(await run(() => call(subject)), await run(() => call(reference)));
        const maybe = fc.option(hostileId(limits), { nil: undefined });
        const types = fc.option(fc.array(hostileId(limits), { maxLength: 3 }), { nil: undefined });
        await fc.assert(
          fc.asyncProperty(hostileId(limits), maybe, types, async (id, tenant, only) => {
            const opts = tenant === undefined ? {} : { tenant: tenant as string };
            await both(async (d) => (await d.ledger.readStream(id as string, opts)).map(visible));
            await both((d) => d.ledger.streamVersion(id as string, opts));
            const all = only === undefined ? opts : { ...opts, types: only as string[] };
            await both(async (d) => (await d.ledger.readAll(all)).map(visible));
          }),
          runs,
        );
        const many = Array.from({ length: limits.maxInValues + 1 }, (_, i) => `T${i}`);
        const got = await run(() => subject.ledger.readAll({ types: many }));
        expect(got.refused).toBe('INVALID_ARGUMENT');
      });
    }

    if (options.queries !== false) {
      it('a hostile, huge or generated lens query: the reference answer, or INVALID_QUERY before it runs', async () => {
        const subject = driver.current;
        const reference = memoryDriver({ limits });
        for (const d of [subject, reference]) {
          await d.store.transaction(async (tx) => {
            for (const { id, model } of MODELS) {
              await tx.put(P, {
                id,
                tenant: 'default',
                model,
                version: 1,
                position: 1,
                updatedAt: 0,
              });
            }
          });
        }
        for (const make of hostileQueries(limits)) {
          const got = await run(() => subject.store.query(P, 'default', make()));
          // the query beside its outcome, so a failure says which one
          const query = JSON.stringify(make(), (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
          expect({ query: query.slice(0, 80), refused: got.refused }).toEqual({
            query: query.slice(0, 80),
            refused: 'INVALID_QUERY',
          });
        }
        await fc.assert(
          fc.asyncProperty(hostileQuery(limits), (query) => queryBoth(subject, reference, query)),
          runs,
        );
      });
    }

    it('calls after close() are refused with CLOSED', async () => {
      const subject = driver.current;
      if (subject.close === undefined) return; // a driver that holds nothing to close
      await subject.close();
      const calls: Array<() => unknown> = [
        () => subject.ledger.append('s', [{ type: 'T', data: {} }]),
      ];
      if (reads)
        calls.push(
          () => subject.ledger.readStream('s'),
          () => subject.ledger.readAll(),
        );
      if (options.queries !== false) {
        calls.push(
          () => subject.store.get(P, 'default', 'm1'),
          () => subject.store.query(P, 'default', {}),
        );
      }
      for (const call of calls) {
        const got = await run(call);
        expect({ call: String(call), refused: got.refused }).toEqual({
          call: String(call),
          refused: 'CLOSED',
        });
      }
    });
  });
}
