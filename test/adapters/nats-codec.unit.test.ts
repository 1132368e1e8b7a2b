// @runtimes node deno bun
/**
 * The NATS transport's envelope codecs: the binary format of the WebAssembly core (the default)
 * carries any envelope whole, exactly as JSON would, and its decoder is fuzzed with a seeded
 * mutation loop — every input decodes to an envelope or is refused with MALFORMED_MESSAGE (its
 * cause the format's CorruptDataError where the bytes are bad), alike in the TypeScript twin and
 * the WebAssembly core. `WHIZBANG_FUZZ_RUNS` sets the count.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binaryCodec, jsonCodec } from '../../adapters/nats/mod.ts';
import { numbered, wireEnvelope } from '../../js/conformance/transport/kit.ts';
import type { WireEnvelope } from '../../js/contracts/transport.ts';
import { isCorruptDataError, isWhizbangError } from '../../js/util/errors.ts';
import { encodeSegment } from '../../js/wasm/codec.ts';
import { RECORD_HEADER, SEGMENT_HEADER } from '../../js/wasm/format.ts';
import * as twin from '../../js/wasm/twin.ts';
import { ledgerRecord, mutateSegment, rng, withVersion } from '../support/segments.ts';
import { loadWasmCore } from '../support/wasm.ts';

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env;
const RUNS = Number(env?.WHIZBANG_FUZZ_RUNS ?? 3000);
const SEED = Number(env?.WHIZBANG_FUZZ_SEED ?? 0x0e5b);

const binary = binaryCodec();
const wasm = binaryCodec({ core: (await loadWasmCore()).create() });

/** What JSON makes of a value: the contract both codecs keep. */
const viaJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (error) {
    return isWhizbangError(error) ? error.code : `not a WhizbangError: ${String(error)}`;
  }
};

describe('binary envelope codec', () => {
  it('carries full, bare and odd envelopes whole: what JSON carries, in fewer bytes', () => {
    const { streamId: _s, version: _v, position: _p, ...bare } = wireEnvelope(null);
    const envelopes: WireEnvelope[] = [
      wireEnvelope(),
      { ...bare, hops: [] },
      numbered(7),
      wireEnvelope({ text: 'ünïcödé ✓ 漢字 🧪', control: '\u0000\u001f"\\', n: [0, -1, 1e21] }),
      wireEnvelope(undefined),
      wireEnvelope('just a string'),
      { ...numbered(1), message: { kind: 'command', type: 'Open', data: 1 } },
      // fields the record has no place for ride in its metadata
      {
        ...numbered(2),
        streamId: '',
        version: 0,
        position: 1.5,
        extra: { a: [1] },
      } as WireEnvelope,
      {
        ...numbered(3),
        message: { kind: 'event', type: 'T', data: {}, schema: 2 },
      } as unknown as WireEnvelope,
    ];
    for (const envelope of envelopes) {
      const bytes = binary.encode(envelope);
      expect(binary.decode(bytes)).toEqual(viaJson(envelope));
      expect(wasm.decode(bytes)).toEqual(viaJson(envelope));
      expect(wasm.encode(envelope)).toEqual(bytes);
    }
    const full = wireEnvelope();
    expect(binary.encode(full).length).toBeLessThan(jsonCodec.encode(full).length);
  });

  it('round-trips arbitrary envelopes exactly as the JSON codec does', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const envelope = fc.record(
      {
        message: fc.record({
          kind: fc.constantFrom('event' as const, 'command' as const),
          type: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
          data: fc.jsonValue(),
        }),
        messageId: text,
        correlationId: text,
        causationId: text,
        streamId: text,
        tenant: text,
        timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
        traceparent: text,
        hops: fc.array(fc.record({ where: text, at: fc.nat(), decisions: fc.constant([]) }), {
          maxLength: 3,
        }),
        version: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        position: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      },
      {
        requiredKeys: [
          'message',
          'messageId',
          'correlationId',
          'causationId',
          'tenant',
          'timestamp',
          'hops',
        ],
      },
    );
    fc.assert(
      fc.property(envelope, (e) => {
        const sent = e as unknown as WireEnvelope;
        const expected = jsonCodec.decode(jsonCodec.encode(sent));
        expect(binary.decode(binary.encode(sent))).toEqual(expected);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('decodes the bytes inside a larger buffer of a Uint8Array subclass (as a network client hands them over)', () => {
    // Node's Buffer is such a subclass; the decoder reads through a plain view of the same bytes
    class Chunk extends Uint8Array {}
    const hex = fc.stringMatching(/^[0-9a-f]{4,32}$/);
    const envelope = fc.record({
      message: fc.record({
        kind: fc.constantFrom('event' as const, 'command' as const),
        type: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
        data: fc.jsonValue(),
      }),
      messageId: fc.string({ unit: 'binary', maxLength: 20 }),
      correlationId: fc.string({ maxLength: 20 }),
      causationId: fc.string({ maxLength: 20 }),
      tenant: fc.string({ maxLength: 20 }),
      timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
      // the plain form read without JSON.parse, and any other string
      traceparent: fc.oneof(
        hex.map((h) => `00-${h}-b7ad6b7169203331-01`),
        fc.string({ unit: 'binary', maxLength: 30 }),
      ),
      hops: fc.constant([]),
    });
    fc.assert(
      fc.property(envelope, fc.nat({ max: 64 }), (e, offset) => {
        const sent = e as unknown as WireEnvelope;
        const bytes = binary.encode(sent);
        const chunk = new Chunk(offset + bytes.length + 7);
        chunk.set(bytes, offset);
        const inside = chunk.subarray(offset, offset + bytes.length);
        expect(inside).toBeInstanceOf(Chunk);
        const expected = jsonCodec.decode(jsonCodec.encode(sent));
        expect(binary.decode(inside)).toEqual(expected);
        expect(wasm.decode(inside)).toEqual(expected);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('refuses what is not an envelope, or not JSON-safe, at encode with INVALID_ARGUMENT', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: unknown[] = [
      null,
      42,
      { ...numbered(1), message: undefined },
      { ...numbered(1), message: { kind: 'query', type: 'X', data: 1 } },
      { ...numbered(1), message: { kind: 'event', type: '', data: 1 } },
      { ...numbered(1), tenant: 7 },
      { ...numbered(1), hops: 'none' },
      { ...numbered(1), timestamp: '2024' },
      wireEnvelope({ big: 10n }),
      wireEnvelope(cyclic),
      { ...numbered(1), messageId: 'x'.repeat(70_000) },
    ];
    expect(bad.map((e) => codeOf(() => binary.encode(e as WireEnvelope)))).toEqual(
      bad.map(() => 'INVALID_ARGUMENT'),
    );
  });

  it('refuses bytes that are not one envelope with MALFORMED_MESSAGE, the format saying why', () => {
    const good = binary.encode(numbered(1));
    const twice = new Uint8Array(good.length * 2);
    twice.set(good);
    twice.set(good, good.length);
    const cases: Array<[Uint8Array, string]> = [
      [new Uint8Array(0), 'truncated'],
      [new TextEncoder().encode(JSON.stringify(numbered(1))), 'bad-magic'],
      [good.subarray(0, good.length - 1), 'truncated'],
      [withVersion(good, 2), 'unsupported-version'],
      [withVersion(good, 0), 'unsupported-version'],
      [encodeSegment([ledgerRecord(1)]), 'no metadata'],
      [encodeSegment([ledgerRecord(1), ledgerRecord(2)]), 'two records'],
      [twice, 'two segments'],
    ];
    for (const codec of [binary, wasm]) {
      const reasons = cases.map(([bytes]) => {
        try {
          codec.decode(bytes);
          return 'decoded';
        } catch (error) {
          expect(isWhizbangError(error, 'MALFORMED_MESSAGE')).toBe(true);
          const cause = (error as { cause?: unknown }).cause;
          return isCorruptDataError(cause) ? cause.reason : 'not an envelope';
        }
      });
      expect(reasons).toEqual(
        cases.map(([, why]) => (why.includes(' ') ? 'not an envelope' : why)),
      );
    }
  });
});

const seeds = [
  binary.encode(numbered(1)),
  binary.encode(wireEnvelope()),
  binary.encode(wireEnvelope({ text: 'ünïcödé ✓', list: [1, null, { a: 'b' }] })),
];

/** Puts the checksums and hashes right again where lengths allow, so deeper checks are reached. */
function reseal(b: Uint8Array): void {
  const m = twin.viewsOf(b);
  if (b.length >= SEGMENT_HEADER) m.dv.setUint32(16, twin.crc32c(m, 0, 16), true);
  const p = SEGMENT_HEADER;
  if (p + RECORD_HEADER > b.length) return;
  const len = m.dv.getUint32(p, true);
  if (len < RECORD_HEADER || p + len > b.length) return;
  let sum = RECORD_HEADER + m.dv.getUint32(p + 60, true) + m.dv.getUint32(p + 64, true);
  for (let i = 0; i < 6; i++) sum += m.dv.getUint16(p + 48 + 2 * i, true);
  if (sum === len) twin.sealRecord(m, p);
}

function mutate(next: () => number): Uint8Array {
  return mutateSegment(seeds, next, (b, _dv, pick) => {
    if (pick === 3) return withVersion(b, next() & 0xff); // the format version
    // damage the variable part (strings, metadata, data), then make the checksums agree
    const from = SEGMENT_HEADER + RECORD_HEADER;
    for (let k = 1 + (next() % 3); k > 0; k--)
      b[from + (next() % (b.length - from))] = next() & 0xff;
    reseal(b);
    return undefined;
  });
}

function outcome(codec: typeof binary, bytes: Uint8Array): string {
  try {
    return `ok ${JSON.stringify(codec.decode(bytes))}`;
  } catch (error) {
    if (!isWhizbangError(error, 'MALFORMED_MESSAGE')) throw error;
    const cause = (error as { cause?: unknown }).cause;
    return isCorruptDataError(cause) ? `corrupt ${cause.reason} at ${cause.offset}` : 'malformed';
  }
}

describe('binary envelope decoder, fuzzed', () => {
  it(`${RUNS} mutated inputs: an envelope or MALFORMED_MESSAGE, alike in the twin and the WebAssembly core`, () => {
    const next = rng(SEED);
    const seen = new Map<string, number>();
    for (let i = 0; i < RUNS; i++) {
      const bytes = mutate(next);
      const a = outcome(binary, bytes);
      const b = outcome(wasm, bytes);
      if (a !== b) expect({ i, bytes: [...bytes], twin: a, wasm: b }).toBe('the same outcome');
      const kind = a.startsWith('ok') ? 'ok' : a.replace(/ at \d+$/, '');
      seen.set(kind, (seen.get(kind) ?? 0) + 1);
    }
    // the loop reached the deep checks, not only the first bytes
    for (const kind of [
      'ok',
      'corrupt truncated',
      'corrupt bad-magic',
      'corrupt unsupported-version',
      'corrupt bad-checksum',
      'corrupt bad-json',
    ]) {
      expect([kind, seen.has(kind)]).toEqual([kind, true]);
    }
  });
});
