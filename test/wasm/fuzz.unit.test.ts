// @runtimes node deno bun
/**
 * Every decoder, fuzzed with a seeded mutation loop: valid segments truncated, bit-flipped, with
 * lengths overwritten (huge, off by a few), resealed so deeper checks are reached, and random
 * bytes. Each input must decode alike in the twin and the WebAssembly core, or be refused alike
 * with a CorruptDataError (same reason, same offset) — never another error, a hang, or a core
 * memory that keeps growing. Every fourth input is also read as a stream cut at random points
 * (the segment-file walk of `importLedger` and `verifySegmentStream`): the same records, or the
 * same reason at the same offset. `WHIZBANG_FUZZ_RUNS` sets the count (`npm run fuzz`: 1 000 000).
 */
import { describe, expect, it } from 'vitest';
import { memoryLedger } from '../../js/memory/ledger.ts';
import { isCorruptDataError } from '../../js/util/errors.ts';
import { decodeSegments, encodeSegment, readRecord, type WireRecord } from '../../js/wasm/codec.ts';
import { type CoreFactory, jsCore } from '../../js/wasm/core.ts';
import { RECORD_HEADER, SEGMENT_HEADER } from '../../js/wasm/format.ts';
import { eachStreamedSegment } from '../../js/wasm/segment-stream.ts';
import * as twin from '../../js/wasm/twin.ts';
import { mutateSegment, rng } from '../support/segments.ts';
import { loadWasmCore } from '../support/wasm.ts';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
const RUNS = Number(env?.WHIZBANG_FUZZ_RUNS ?? 3000);
const SEED = Number(env?.WHIZBANG_FUZZ_SEED ?? 0x5eed);

const wasm = await loadWasmCore();
const js = jsCore.create();
const wa = wasm.create();

const sample = (i: number): WireRecord => ({
  kind: i % 5 === 0 ? 'command' : 'event',
  type: ['Deposited', 'Withdrawn', 'Renamé'][i % 3]!,
  data: i % 7 === 0 ? undefined : { amount: i, note: i % 2 ? 'ok' : 'ünïcode ✓', list: [i, null] },
  streamId: i % 5 === 0 ? undefined : `account-${i % 4}`,
  version: i,
  position: i + 1,
  tenant: i % 2 ? 'default' : 'acme',
  messageId: `m-${i}`,
  correlationId: `c-${i}`,
  causationId: `m-${i}`,
  timestamp: 1732838400000 + i,
  metadata: i % 3 === 0 ? { i } : undefined,
});
const seeds = [1, 2, 5].map((n) => encodeSegment(Array.from({ length: n }, (_, i) => sample(i))));

/** Puts every record's checksum, hashes and the header checksum right again where lengths allow. */
function reseal(b: Uint8Array, hashes = true): void {
  const m = twin.viewsOf(b);
  if (b.length >= SEGMENT_HEADER) m.dv.setUint32(16, twin.crc32c(m, 0, 16), true);
  let p = SEGMENT_HEADER;
  while (p + RECORD_HEADER <= b.length) {
    const len = m.dv.getUint32(p, true);
    if (len < RECORD_HEADER || p + len > b.length) return;
    let sum = RECORD_HEADER + m.dv.getUint32(p + 60, true) + m.dv.getUint32(p + 64, true);
    for (let i = 0; i < 6; i++) sum += m.dv.getUint16(p + 48 + 2 * i, true);
    if (sum !== len) return;
    if (hashes) twin.sealRecord(m, p);
    else m.dv.setUint32(p + 4, twin.crc32c(m, p + 8, len - 8), true);
    p += len;
  }
}

function mutate(next: () => number): Uint8Array {
  const r = () => next() / 0x100000000;
  return mutateSegment(seeds, next, (b, dv, pick) => {
    if (pick === 3) {
      // a string or payload length in the first record
      dv.setUint16(SEGMENT_HEADER + 48 + 2 * (next() % 6), next() & 0xffff, true);
      return undefined;
    }
    // damage inside, then make the checksums agree so the deeper checks are reached
    for (let k = 1 + (next() % 3); k > 0; k--) b[next() % b.length] = next() & 0xff;
    if (r() < 0.8) reseal(b, r() < 0.6);
    return undefined;
  });
}

function outcome(bytes: Uint8Array, core: typeof js): string {
  try {
    return `ok ${JSON.stringify(decodeSegments(bytes, { core }))}`;
  } catch (error) {
    if (!isCorruptDataError(error)) throw error;
    expect(error.offset).toBeGreaterThanOrEqual(0);
    expect(error.offset).toBeLessThanOrEqual(bytes.length);
    return `corrupt ${error.reason} at ${error.offset}`;
  }
}

/** The memory ledger taking over the bytes as its log: read back, or refused. */
function loaded(bytes: Uint8Array, core: typeof wasm | typeof jsCore): string {
  try {
    return `ok ${JSON.stringify(memoryLedger({ core, segments: [bytes] }).readAll())}`;
  } catch (error) {
    if (!isCorruptDataError(error)) throw error;
    return `corrupt ${error.reason} at ${error.offset}`;
  }
}

/** The bytes cut into chunks at random points (some empty), decoded segment by segment as they arrive. */
async function streamed(bytes: Uint8Array, core: CoreFactory, cuts: () => number): Promise<string> {
  const points = Array.from({ length: cuts() % 6 }, () => cuts() % (bytes.length + 1));
  const ends = [0, ...points.sort((x, y) => x - y), bytes.length];
  const chunks = ends.slice(1).map((end, i) => bytes.slice(ends[i], end));
  const records: WireRecord[] = [];
  try {
    await eachStreamedSegment(chunks, core, ({ core: c, body, next, base }) => {
      for (let p = body; p < next; p += c.views.dv.getUint32(p, true))
        records.push(readRecord(c.views, p, base));
    });
    return `ok ${JSON.stringify(records)}`;
  } catch (error) {
    if (!isCorruptDataError(error)) throw error;
    return `corrupt ${error.reason} at ${error.offset}`;
  }
}

describe('decoders under bad input', () => {
  it(`${RUNS} mutated inputs: both cores decode alike or refuse alike with CorruptDataError`, async () => {
    const next = rng(SEED);
    // its own sequence, so the inputs are those of the seed with or without the streamed reads
    const cuts = rng(SEED ^ 0x5a5a5a5a);
    const reasons = new Map<string, number>();
    const before = wa.views.u8.length;
    for (let i = 0; i < RUNS; i++) {
      const bytes = mutate(next);
      const a = outcome(bytes, js);
      const b = outcome(bytes, wa);
      if (a !== b) expect({ input: i, wasm: b }).toEqual({ input: i, wasm: a });
      // a ledger started from the same bytes refuses them alike, or reads back the same events
      if (i % 4 === 0) {
        const c = loaded(bytes, jsCore);
        expect(loaded(bytes, wasm)).toBe(c);
        if (a.startsWith('corrupt') && c.startsWith('ok'))
          expect({ input: i, ledger: c }).toEqual({ input: i, ledger: a });
        // a segment file streamed in chunks: the whole buffer's records, or its reason and offset
        const d = await streamed(bytes, i % 8 === 0 ? wasm : jsCore, cuts);
        if (d !== a) expect({ input: i, streamed: d }).toEqual({ input: i, streamed: a });
      }
      const reason = a.startsWith('ok') ? 'ok' : a.split(' ')[1]!;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    // the loop reaches the deep checks, not only the first ones
    for (const reason of [
      'ok',
      'truncated',
      'bad-checksum',
      'bad-length',
      'bad-hash',
      'bad-utf8',
      'bad-json',
      'reserved',
    ])
      expect([reason, reasons.get(reason) ?? 0]).not.toEqual([reason, 0]);
    // scratch is given back: the core's memory does not grow with the number of inputs
    expect(wa.views.u8.length).toBeLessThanOrEqual(Math.max(before, 1 << 20));
  });

  it('refuses lengths that point past the end without reading there', () => {
    const b = seeds[1]!.slice();
    new DataView(b.buffer).setUint32(12, 0xfffffff0, true);
    reseal(b);
    for (const core of [js, wa]) expect(() => decodeSegments(b, { core })).toThrow(/truncated/);
  });
});
