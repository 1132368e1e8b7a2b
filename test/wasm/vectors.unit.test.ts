// @runtimes node deno bun
/** The checked-in vectors of format version 1, through the TypeScript twin and the WebAssembly core. */
import { describe, expect, it } from 'vitest';
import { isCorruptDataError } from '../../js/util/errors.ts';
import { decodeSegments, encodeSegment, type WireRecord } from '../../js/wasm/codec.ts';
import { jsCore } from '../../js/wasm/core.ts';
import { loadWasmCore } from '../support/wasm.ts';
import vectors from '../vectors/envelopes-v1.json' with { type: 'json' };

const wasm = await loadWasmCore();
const cores = { js: jsCore.create(), wasm: wasm.create() };
const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
// absent fields in the JSON file are `undefined` in a record
const record = (r: object): WireRecord =>
  ({ data: undefined, streamId: undefined, metadata: undefined, ...r }) as WireRecord;

describe.each(Object.entries(cores))('format v1 vectors, %s core', (_, core) => {
  it('computes the reference checksum and hash', () => {
    const at = core.alloc(9);
    core.views.u8.set(new TextEncoder().encode('123456789'), at);
    expect(core.crc32c(at, 9).toString(16)).toBe(vectors.checks.crc32c_123456789);
    expect(core.kind === 'wasm' || core.kind === 'js').toBe(true);
  });

  for (const v of vectors.valid) {
    it(`encodes "${v.name}" to its bytes`, () => {
      expect(toHex(encodeSegment(v.records.map(record), { core }))).toBe(v.hex);
    });
    it(`decodes "${v.name}" from its bytes`, () => {
      expect(decodeSegments(fromHex(v.hex), { core })).toEqual(v.records.map(record));
    });
  }

  it('decodes two segments back to back as one batch', () => {
    const [a, b] = [vectors.valid[1]!, vectors.valid[4]!];
    const batch = fromHex(a.hex + b.hex);
    expect(decodeSegments(batch, { core })).toEqual([...a.records, ...b.records].map(record));
  });

  for (const v of vectors.corrupt) {
    it(`refuses "${v.name}" as ${v.reason} at byte ${v.offset}`, () => {
      let caught: unknown;
      try {
        decodeSegments(fromHex(v.hex), { core });
      } catch (error) {
        caught = error;
      }
      expect(isCorruptDataError(caught)).toBe(true);
      expect(caught).toMatchObject({ code: 'CORRUPT_DATA', reason: v.reason, offset: v.offset });
    });
  }
});
