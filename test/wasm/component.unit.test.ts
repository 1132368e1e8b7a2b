/**
 * The core as a WebAssembly Component (core-wasm/wit/whizbang.wit), for hosts that are not
 * JavaScript: transpiled back with jco and checked against the same vectors as the JS paths.
 * Node only — jco is a build tool here, never on the JS hot path.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transpile } from '@bytecodealliance/jco';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript
import { buildComponent } from '../../core-wasm/component.mjs';
import { CORRUPT_REASONS } from '../../js/wasm/format.ts';
import vectors from '../vectors/envelopes-v1.json' with { type: 'json' };

interface Envelopes {
  crc32c(bytes: Uint8Array): number;
  fnv1a(bytes: Uint8Array): number;
  checkSegment(bytes: Uint8Array): number;
  sealRecord(record: Uint8Array): Uint8Array;
  sealSegment(records: Uint8Array, count: number): Uint8Array;
}

const fromHex = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const built = new URL('../../core-wasm/build/whizbang-component.wasm', import.meta.url);
let dir = '';
let envelopes: Envelopes;

beforeAll(async () => {
  const component: Uint8Array = existsSync(built) ? readFileSync(built) : await buildComponent();
  const { files } = await transpile(component, { name: 'whizbang' });
  dir = mkdtempSync(join(tmpdir(), 'whizbang-component-'));
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  const mod = (await import(pathToFileURL(join(dir, 'whizbang.js')).href)) as Record<
    string,
    unknown
  >;
  envelopes = (mod.envelopes ?? mod['whizbang:core/envelopes@1.0.0']) as Envelopes;
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The `corrupt` a call threw (jco raises a result's error as a ComponentError with `payload`). */
function refusal(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return (error as { payload?: unknown }).payload;
  }
  return undefined;
}

describe('the WebAssembly component, transpiled back with jco', () => {
  it('computes the reference checksum and hash', () => {
    const text = new TextEncoder();
    expect(envelopes.crc32c(text.encode('123456789')).toString(16)).toBe(
      vectors.checks.crc32c_123456789,
    );
    expect(envelopes.fnv1a(text.encode('a')).toString(16)).toBe(vectors.checks.fnv1a_a);
  });

  it('counts the records of every valid vector', () => {
    for (const v of vectors.valid)
      expect(envelopes.checkSegment(fromHex(v.hex))).toBe(v.records.length);
  });

  it('refuses every corrupt vector with the same reason and offset', () => {
    for (const v of vectors.corrupt)
      expect(refusal(() => envelopes.checkSegment(fromHex(v.hex)))).toEqual({
        reason: CORRUPT_REASONS.indexOf(v.reason as never) + 1,
        offset: v.offset,
      });
  });

  it('writes the vectors byte for byte: records sealed, then framed', () => {
    for (const v of vectors.valid) {
      const segment = fromHex(v.hex);
      const body = segment.subarray(20);
      const sealed: Uint8Array[] = [];
      for (let at = 0; at < body.length; ) {
        const len = new DataView(body.buffer, body.byteOffset + at).getUint32(0, true);
        // what a host writes: fields, lengths and strings, with hashes, length and checksum zeroed
        const record = body.slice(at, at + len);
        record.fill(0, 0, 8);
        record.fill(0, 12, 24);
        sealed.push(envelopes.sealRecord(record));
        at += len;
      }
      const records = new Uint8Array(sealed.reduce((n, r) => n + r.length, 0));
      let p = 0;
      for (const r of sealed) {
        records.set(r, p);
        p += r.length;
      }
      expect(toHex(envelopes.sealSegment(records, sealed.length))).toBe(v.hex);
    }
  });

  it('refuses to seal a record whose lengths disagree with its size', () => {
    const one = fromHex(vectors.valid[1]!.hex).slice(20);
    expect(refusal(() => envelopes.sealRecord(one.subarray(0, one.length - 1)))).toEqual({
      reason: 5,
      offset: 0,
    });
  });
});
