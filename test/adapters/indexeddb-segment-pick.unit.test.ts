/**
 * Fuzz of the stream read's decoder (adapters/indexeddb/segment-pick.ts): over a segment with any
 * byte changed or its end cut, and any runs of offsets, a pick either gives up (undefined: the
 * caller then checks the whole segment) or returns records that are exactly records of the
 * original segment — never bytes it did not check, never a throw other than by giving up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickRecords, recordOffsets, streamRuns } from '../../adapters/indexeddb/segment-pick.ts';
import { decodeSegments, encodeSegment, jsCore, type WireRecord } from '../../js/wasm/mod.ts';

const records: WireRecord[] = Array.from({ length: 12 }, (_, i) => ({
  kind: 'event',
  type: i % 3 === 0 ? 'Opened' : 'Deposited',
  data: { i, note: 'ü€ deposit'.repeat(i % 4) },
  streamId: `s-${i % 3}`,
  version: Math.floor(i / 3) + 1,
  position: i + 1,
  tenant: 'default',
  messageId: `m-${i}`,
  correlationId: `m-${i}`,
  causationId: `c-${i}`,
  timestamp: 1_700_000_000_000 + i,
  metadata: i % 5 === 0 ? { k: i } : undefined,
}));
const bytes = encodeSegment(records);
const stored = { count: records.length, bytes };
const originals = decodeSegments(bytes);
const core = jsCore.create();

describe('segment pick', () => {
  it("reads a stream's runs exactly, and checks the header", () => {
    const runs = streamRuns(bytes, records.length, (i) => records[i]!.streamId!);
    expect(runs.get('s-1')!.filter((_, i) => i % 2 === 1)).toEqual([1, 1, 1, 1]);
    expect(pickRecords(core, decodeSegments, stored, runs.get('s-1')!)).toEqual(
      originals.filter((r) => r.streamId === 's-1'),
    );
    const offsets = recordOffsets(bytes);
    expect(pickRecords(core, decodeSegments, stored, [offsets[0]!, 12])).toEqual(originals);
    // a count that disagrees with the record, and a header bit flipped: give up
    expect(pickRecords(core, decodeSegments, { count: 11, bytes }, [offsets[0]!, 1])).toBe(
      undefined,
    );
    const flipped = bytes.slice();
    flipped[9] = flipped[9]! ^ 1;
    expect(pickRecords(core, decodeSegments, { count: 12, bytes: flipped }, [20, 1])).toBe(
      undefined,
    );
  });

  it('fuzz: a damaged segment and any runs give up or return original records only', () => {
    const offsets = recordOffsets(bytes);
    fc.assert(
      fc.property(
        fc.nat(bytes.length - 1),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        fc.array(
          fc.tuple(fc.oneof(fc.constantFrom(...offsets), fc.nat(bytes.length + 8)), fc.nat(13)),
          {
            maxLength: 4,
          },
        ),
        (at, xor, cut, pairs) => {
          let damaged = bytes.slice();
          if (cut) damaged = damaged.slice(0, at);
          else damaged[at] = damaged[at]! ^ xor;
          const got = pickRecords(
            core,
            decodeSegments,
            { count: 12, bytes: damaged },
            pairs.flat(),
          );
          if (got === undefined) return;
          for (const r of got) expect(originals).toContainEqual(r);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
