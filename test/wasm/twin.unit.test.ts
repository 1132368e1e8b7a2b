// @runtimes node deno bun
/**
 * The TypeScript twin and the WebAssembly core answer alike: random envelopes give the same bytes,
 * the same records back, the same scans, stream indexes and dispatch routes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSegments, encodeSegment, hashString, type WireRecord } from '../../js/wasm/codec.ts';
import { type Core, jsCore } from '../../js/wasm/core.ts';
import { BY_STREAM, BY_TENANT, BY_TYPE, SEGMENT_HEADER } from '../../js/wasm/format.ts';
import { loadWasmCore } from '../support/wasm.ts';

const wasm = await loadWasmCore();
const js = jsCore.create();
const wa = wasm.create();

const STREAMS = ['account-1', 'account-2', 'customer-ß', 'order-東京'];
const TYPES = ['Deposited', 'Withdrawn', 'Renamed', 'Closed'];
const TENANTS = ['default', 'acme'];
const id = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }));
const record: fc.Arbitrary<WireRecord> = fc.record({
  kind: fc.constantFrom('event' as const, 'command' as const),
  type: fc.oneof(
    fc.constantFrom(...TYPES),
    fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
  ),
  data: fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 })),
  streamId: fc.oneof(fc.constant(undefined), fc.constantFrom(...STREAMS)),
  version: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  position: fc.nat({ max: 1000 }),
  tenant: fc.constantFrom(...TENANTS),
  messageId: id,
  correlationId: id,
  causationId: id,
  timestamp: fc.double({ noNaN: true }),
  metadata: fc.oneof(
    fc.constant(undefined),
    fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
  ),
});
const records = fc.array(record, { maxLength: 25 });

/** Copies a segment into a core's memory: the address of its first record and of its end. */
function place(core: Core, bytes: Uint8Array): { start: number; end: number } {
  const at = core.alloc(bytes.length);
  core.views.u8.set(bytes, at);
  return { start: at + SEGMENT_HEADER, end: at + bytes.length };
}

function scanIn(
  core: Core,
  bytes: Uint8Array,
  by: number,
  stream: string,
  types: string[],
  tenant: string,
  min: number,
  max: number,
): number[] {
  const mark = core.mark();
  const { start, end } = place(core, bytes);
  const table = core.alloc(8 + 8 * 16);
  core.dispatchInit(table, 16);
  for (const [slot, t] of types.entries())
    expect(core.dispatchSet(table, hashString(t), slot)).toBe(0);
  const out = core.alloc(4 * 64);
  const slots = core.alloc(4 * 64);
  const n = core.scan(
    start,
    end,
    by,
    hashString(stream),
    table,
    hashString(tenant),
    min,
    max,
    out,
    slots,
    64,
  );
  const dv = core.views.dv;
  const found = Array.from({ length: n }, (_, i) => [
    dv.getUint32(out + 4 * i, true) - start,
    dv.getInt32(slots + 4 * i, true),
  ]).flat();
  core.reset(mark);
  return [n, ...found];
}

function indexIn(core: Core, bytes: Uint8Array): number[] {
  const mark = core.mark();
  const { start, end } = place(core, bytes);
  const t = core.alloc(8 + 16 * 64);
  core.indexInit(t, 64);
  const prev = core.alloc(4 * 32);
  const ver = core.alloc(4 * 32);
  const n = core.indexBuild(t, start, end, 0, prev, ver, 32);
  const dv = core.views.dv;
  const rows = Array.from({ length: Math.max(n, 0) }, (_, i) => [
    dv.getInt32(prev + 4 * i, true),
    dv.getUint32(ver + 4 * i, true),
  ]).flat();
  const versions = STREAMS.flatMap((s) =>
    TENANTS.map((tenant) => {
      const at = core.indexFind(t, hashString(s), hashString(tenant));
      return at < 0 ? 0 : dv.getUint32(at + 8, true);
    }),
  );
  core.reset(mark);
  return [n, ...rows, ...versions];
}

describe('the TypeScript twin and the WebAssembly core', () => {
  it('encode random envelopes to the same bytes and decode them to the same records', () => {
    fc.assert(
      fc.property(records, (rs) => {
        const a = encodeSegment(rs, { core: js });
        const b = encodeSegment(rs, { core: wa });
        expect(b).toEqual(a);
        const back = decodeSegments(b, { core: wa });
        expect(back).toEqual(decodeSegments(a, { core: js }));
        // what goes in comes out, as JSON carries it
        expect(back).toEqual(
          rs
            .map((r) => JSON.parse(JSON.stringify(r), (_, v) => v))
            .map((r, i) => ({
              ...r,
              data: rs[i]!.data === undefined ? undefined : r.data,
              streamId: rs[i]!.streamId,
              metadata: rs[i]!.metadata === undefined ? undefined : r.metadata,
              timestamp: rs[i]!.timestamp,
            })),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('scan a segment by stream, types, tenant and position alike', () => {
    fc.assert(
      fc.property(
        records,
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(...STREAMS),
        fc.subarray(TYPES),
        fc.constantFrom(...TENANTS),
        fc.nat({ max: 1000 }),
        fc.nat({ max: 1000 }),
        (rs, by, stream, types, tenant, a, b) => {
          const bytes = encodeSegment(rs);
          const [min, max] = a < b ? [a, b] : [b, a];
          const want = scanIn(js, bytes, by, stream, types, tenant, min, max);
          expect(scanIn(wa, bytes, by, stream, types, tenant, min, max)).toEqual(want);
          // and the answer is the right one
          const expected = rs.filter(
            (r) =>
              r.position >= min &&
              r.position <= max &&
              ((by & BY_STREAM) === 0 || r.streamId === stream) &&
              ((by & BY_TYPE) === 0 || types.includes(r.type)) &&
              ((by & BY_TENANT) === 0 || r.tenant === tenant),
          );
          expect(want[0]).toBe(Math.min(expected.length, 64));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('build the same stream index: versions, previous rows, current versions', () => {
    fc.assert(
      fc.property(records, (rs) => {
        const bytes = encodeSegment(rs);
        const want = indexIn(js, bytes);
        expect(indexIn(wa, bytes)).toEqual(want);
        const counts = new Map<string, number>();
        rs.forEach((r, i) => {
          const key = `${r.tenant}/${r.streamId ?? ''}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
          expect(want[2 + 2 * i]).toBe(counts.get(key));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('compute the same CRC32C of random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const [x, y] = [js, wa].map((core) => {
          const mark = core.mark();
          const at = core.alloc(bytes.length);
          core.views.u8.set(bytes, at);
          const crc = core.crc32c(at, bytes.length);
          core.reset(mark);
          return crc;
        });
        expect(y).toBe(x);
      }),
      { numRuns: 300 },
    );
  });

  it('route a batch through the same dispatch table', () => {
    const rs = TYPES.flatMap((type, i) =>
      [1, 2, 3].map((n) => ({ ...sample, type, position: 10 * i + n })),
    );
    const bytes = encodeSegment(rs);
    const routes = [js, wa].map((core) =>
      scanIn(core, bytes, BY_TYPE, '', ['Renamed', 'Deposited'], '', 0, 1e9),
    );
    expect(routes[1]).toEqual(routes[0]);
    // three Deposited (slot 1), then three Renamed (slot 0)
    expect(routes[0]!.filter((_, i) => i > 0 && i % 2 === 0)).toEqual([1, 1, 1, 0, 0, 0]);
  });
});

const sample: WireRecord = {
  kind: 'event',
  type: 'Deposited',
  data: { amount: 1 },
  streamId: 'account-1',
  version: 1,
  position: 1,
  tenant: 'default',
  messageId: 'm',
  correlationId: 'm',
  causationId: 'm',
  timestamp: 0,
  metadata: undefined,
};
