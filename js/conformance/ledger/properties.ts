/** Properties over random workloads: what is read is what was appended, positions never gap. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { range, withDriver } from '../helpers.ts';
import type { NewEvent } from '../whizbang.ts';
import { isConcurrencyError } from '../whizbang.ts';
import type { LedgerContext } from './context.ts';

/** Few streams and tenants, so batches collide; ids that differ only by a trailing space. */
const STREAMS = ['order-1', `o'rder;2`, 'Ω-3 🧾', 'order-1 '] as const;
const TENANTS = ['default', 'acme'] as const;

/** JSON data in the form every backend returns it (no -0, no undefined). */
const data = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const event: fc.Arbitrary<NewEvent> = fc.record({
  type: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  data,
});
const target = {
  stream: fc.constantFrom(...STREAMS),
  tenant: fc.constantFrom(...TENANTS),
};
const batch = fc.record({ ...target, events: fc.array(event, { maxLength: 5 }) });
const op = fc.oneof(
  fc.record({
    kind: fc.constant('append' as const),
    ...target,
    events: fc.array(event, { maxLength: 4 }),
  }),
  fc.record({
    kind: fc.constant('conflict' as const),
    ...target,
    events: fc.array(event, { minLength: 1, maxLength: 3 }),
    ahead: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant('abort' as const),
    ...target,
    events: fc.array(event, { minLength: 1, maxLength: 3 }),
  }),
);

const key = (tenant: string, stream: string): string => JSON.stringify([tenant, stream]);

/** Registers the property tests, each run on a fresh driver from the factory. */
export function propertySuite({ factory, options }: LedgerContext): void {
  const { numRuns } = options;

  describe('properties', () => {
    it('read after append returns exactly what was appended, in order', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(batch, { maxLength: 12 }), (batches) =>
          withDriver(factory, async ({ ledger }) => {
            const expected = new Map<string, NewEvent[]>();
            for (const b of batches) {
              const result = await ledger.append(b.stream, b.events, { tenant: b.tenant });
              expect(result.events.map((e) => ({ type: e.type, data: e.data }))).toEqual(b.events);
              const list = expected.get(key(b.tenant, b.stream)) ?? [];
              list.push(...b.events);
              expected.set(key(b.tenant, b.stream), list);
            }
            for (const tenant of TENANTS) {
              for (const stream of STREAMS) {
                const want = expected.get(key(tenant, stream)) ?? [];
                const read = await ledger.readStream(stream, { tenant });
                expect(read.map((e) => ({ type: e.type, data: e.data }))).toEqual(want);
                expect(read.map((e) => e.version)).toEqual(range(1, want.length));
                expect(read.every((e) => e.streamId === stream && e.tenant === tenant)).toBe(true);
                expect(await ledger.streamVersion(stream, { tenant })).toBe(want.length);
              }
            }
          }),
        ),
        { numRuns },
      );
    });

    it('global positions are 1..N with no gap, and readAll is the appends in order', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 16 }), (ops) =>
          withDriver(factory, async ({ ledger }) => {
            const log: { streamId: string; tenant: string; type: string; data: unknown }[] = [];
            for (const o of ops) {
              const { stream, tenant } = o;
              if (o.kind === 'append') {
                const result = await ledger.append(stream, o.events, { tenant });
                expect(result.events.map((e) => e.position)).toEqual(
                  range(log.length + 1, log.length + o.events.length),
                );
                for (const e of o.events) log.push({ streamId: stream, tenant, ...e });
                continue;
              }
              const version = await ledger.streamVersion(stream, { tenant });
              const boom = new Error('inline work failed');
              const error = await (async () => {
                try {
                  await ledger.append(stream, o.events, {
                    tenant,
                    ...(o.kind === 'conflict'
                      ? { expectedVersion: version + o.ahead }
                      : {
                          expectedVersion: version,
                          inTransaction: () => {
                            throw boom;
                          },
                        }),
                  });
                } catch (caught) {
                  return caught;
                }
                return undefined;
              })();
              if (o.kind === 'conflict') expect(isConcurrencyError(error)).toBe(true);
              else expect(error).toBe(boom);
            }
            const all = await ledger.readAll();
            expect(all.map((e) => e.position)).toEqual(range(1, log.length));
            expect(
              all.map((e) => ({
                streamId: e.streamId,
                tenant: e.tenant,
                type: e.type,
                data: e.data,
              })),
            ).toEqual(log);
            expect(await ledger.headPosition()).toBe(log.length);
          }),
        ),
        { numRuns },
      );
    });
  });
}
