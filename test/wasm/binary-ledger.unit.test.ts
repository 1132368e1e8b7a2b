// @runtimes node deno bun
/**
 * The memory ledger keeps its log as records of the binary format: its segments decode to what it
 * reads back, filtered reads (run through the core's scan) answer like a plain filter, the core's
 * memory stays within budget, and events come back as JSON carries them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppendResult } from '../../js/contracts/ledger.ts';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { isCorruptDataError, isWhizbangError } from '../../js/util/errors.ts';
import { decodeSegments } from '../../js/wasm/codec.ts';
import { type CoreFactory, jsCore } from '../../js/wasm/core.ts';
import { loadWasmCore } from '../support/wasm.ts';

const cores: [string, CoreFactory][] = [
  ['TypeScript twin', jsCore],
  ['WebAssembly core', await loadWasmCore()],
];
const TYPES = ['Deposited', 'Withdrawn', 'Renamed', 'Closed'];
const append = fc.record({
  stream: fc.integer({ min: 0, max: 9 }),
  tenant: fc.constantFrom('default', 'acme'),
  types: fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 4 }),
});

describe.each(cores)('memory ledger on the binary log, %s', (_, core) => {
  it('its segments decode to the events it reads back', () => {
    const ledger = memoryLedger({ core });
    for (let i = 0; i < 3000; i++)
      ledger.append(`account-${i % 37}`, [
        { type: 'Deposited', data: { amount: i, note: 'x'.repeat(i % 300) }, metadata: { i } },
      ]);
    const segments = ledger.segments();
    expect(segments.length).toBeGreaterThan(1);
    const decoded = segments.flatMap((s) => decodeSegments(s));
    expect(decoded).toEqual(ledger.readAll());
    expect(decoded.length).toBe(3000);
  });

  it('answers filtered reads (types, tenant, range, limit) like a plain filter', () => {
    fc.assert(
      fc.property(
        fc.array(append, { maxLength: 60 }),
        fc.subarray(TYPES),
        fc.option(fc.constantFrom('default', 'acme'), { nil: undefined }),
        fc.nat({ max: 150 }),
        fc.nat({ max: 150 }),
        fc.integer({ min: 1, max: 50 }),
        (appends, types, tenant, from, to, limit) => {
          const ledger = memoryLedger({ core });
          for (const a of appends)
            ledger.append(
              `s-${a.stream}`,
              a.types.map((type) => ({ type, data: { a: a.stream } })),
              { tenant: a.tenant },
            );
          const all = ledger.readAll();
          const want = all
            .filter(
              (e) =>
                e.position >= from &&
                e.position <= to &&
                types.includes(e.type) &&
                (tenant === undefined || e.tenant === tenant),
            )
            .slice(0, limit);
          const filter = tenant === undefined ? {} : { tenant };
          expect(ledger.readAll({ from, to, limit, types, ...filter })).toEqual(want);
          if (tenant !== undefined)
            expect(ledger.readAll({ tenant })).toEqual(all.filter((e) => e.tenant === tenant));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('scans past a full batch of matches and across segments', () => {
    const ledger = memoryLedger({ core });
    for (let i = 0; i < 5000; i++)
      ledger.append(`s-${i % 10}`, [{ type: i % 3 === 0 ? 'Rare' : 'Common', data: i }]);
    const rare = ledger.readAll({ types: ['Rare'] });
    expect(rare.length).toBe(1667);
    expect(rare.every((e, i) => e.data === 3 * i && e.type === 'Rare')).toBe(true);
    expect(ledger.readAll({ types: ['Common'], from: 4990 }).map((e) => e.position)).toEqual([
      4991, 4992, 4994, 4995, 4997, 4998, 5000,
    ]);
  });

  it("keeps the core's memory within 1.25× the encoded events", () => {
    const ledger = memoryLedger({ core });
    for (let i = 0; i < 20_000; i++)
      ledger.append(`account-${i % 2000}`, [
        { type: 'Deposited', data: { amount: i, by: 'teller-7' } },
      ]);
    const { events, encodedBytes, coreBytes } = ledger.stats();
    expect(events).toBe(20_000);
    expect(coreBytes).toBeLessThanOrEqual(1.25 * encodedBytes);
  });

  it('gives back JSON: a read is a copy, undefined data is null (as every driver keeps it)', () => {
    const ledger = memoryLedger({ core });
    const data = { when: new Date(0), list: [1, undefined] };
    ledger.append('s', [
      { type: 'A', data },
      { type: 'B', data: undefined },
    ]);
    const [a, b] = ledger.readStream('s');
    expect(a!.data).toEqual({ when: '1970-01-01T00:00:00.000Z', list: [1, null] });
    (a!.data as { list: unknown[] }).list.push(2);
    expect(ledger.readStream('s')[0]!.data).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      list: [1, null],
    });
    expect(b!.data).toBeNull();
  });

  it('starts from the segments of another ledger, indexed by the core, and goes on from there', () => {
    fc.assert(
      fc.property(fc.array(append, { maxLength: 40 }), fc.boolean(), (appends, otherCore) => {
        const a = memoryLedger({ core });
        for (const x of appends)
          a.append(
            `s-${x.stream}`,
            x.types.map((type) => ({ type, data: { x: x.stream } })),
            {
              tenant: x.tenant,
            },
          );
        const b = memoryLedger({ core: otherCore ? cores[0]![1] : core, segments: a.segments() });
        expect(b.readAll()).toEqual(a.readAll());
        expect(b.headPosition()).toBe(a.headPosition());
        for (let s = 0; s < 10; s++)
          for (const tenant of ['default', 'acme']) {
            expect(b.streamVersion(`s-${s}`, { tenant })).toBe(
              a.streamVersion(`s-${s}`, { tenant }),
            );
            expect(b.readStream(`s-${s}`, { tenant })).toEqual(a.readStream(`s-${s}`, { tenant }));
          }
        const next = b.append('s-1', [{ type: 'Closed', data: null }], {
          expectedVersion: a.streamVersion('s-1'),
        });
        expect((next as AppendResult).events[0]).toMatchObject({ position: a.headPosition() + 1 });
        expect(b.readAll({ types: ['Closed'] }).length).toBe(
          a.readAll({ types: ['Closed'] }).length + 1,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('refuses segments that are corrupt or do not continue the log', () => {
    const a = memoryLedger({ core });
    for (let i = 0; i < 50; i++) a.append(`s-${i % 3}`, [{ type: 'A', data: i }]);
    const [segment] = a.segments();
    const damaged = segment!.slice();
    damaged[40] = damaged[40]! ^ 0xff;
    const refusal = (segments: Uint8Array[]): unknown => {
      try {
        memoryLedger({ core, segments });
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(isCorruptDataError(refusal([damaged]))).toBe(true);
    // the same segment twice: positions 1… again
    expect(refusal([segment!, segment!])).toMatchObject({
      code: 'CORRUPT_DATA',
      reason: 'out-of-range',
    });
  });

  it('refuses data JSON cannot carry, and keeps nothing of that append', () => {
    const ledger = memoryLedger({ core });
    let caught: unknown;
    try {
      ledger.append('s', [
        { type: 'A', data: 1 },
        { type: 'B', data: { n: 10n } },
      ]);
    } catch (error) {
      caught = error;
    }
    expect(isWhizbangError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect(ledger.headPosition()).toBe(0);
    expect(ledger.streamVersion('s')).toBe(0);
  });
});
