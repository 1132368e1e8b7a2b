/**
 * What goes wrong on a transport, as each transport's tests stage it: messages that are not
 * envelopes (random bytes, other shapes, broken binary envelopes) and what the binary format says
 * of the broken ones, and a handler that never works.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { eventually } from '../../js/conformance/helpers.ts';
import { numbered, numberOf } from '../../js/conformance/transport/kit.ts';
import type {
  Transport,
  TransportSubscribeOptions,
  WireEnvelope,
} from '../../js/contracts/transport.ts';
import { isCorruptDataError } from '../../js/util/errors.ts';
import { encodeSegment } from '../../js/wasm/codec.ts';
import { binaryCodec } from '../../js/wasm/mod.ts';
import { ledgerRecord, withVersion } from './segments.ts';

/** Twenty random byte strings, then wrong shapes, then five broken envelopes (see {@link LAST_REASONS}). */
export function notEnvelopes(): Uint8Array[] {
  const junk: Uint8Array[] = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 300 }), 20);
  junk.push(new TextEncoder().encode('{"v":99,"message":{"kind":"event"}}'));
  junk.push(new TextEncoder().encode(JSON.stringify(numbered(-1)))); // JSON, not the format
  junk.push(new Uint8Array([0xff, 0xfe, 0x00]));
  const envelope = binaryCodec().encode(numbered(-2));
  junk.push(envelope.subarray(0, envelope.length - 1)); // truncated
  const flipped = envelope.slice();
  flipped[100] = flipped[100]! ^ 0x10; // one bit off: the checksum disagrees
  junk.push(flipped);
  junk.push(withVersion(envelope, 2)); // a format version this reader does not know
  junk.push(encodeSegment([ledgerRecord(1), ledgerRecord(2)])); // a segment, not an envelope
  junk.push(encodeSegment([ledgerRecord(3)])); // a record without an envelope's metadata
  return junk;
}

/** What was wrong with each of the last five of {@link notEnvelopes}, by {@link reasonOf}. */
export const LAST_REASONS: readonly string[] = [
  'truncated',
  'bad-checksum',
  'unsupported-version',
  'not an envelope',
  'not an envelope',
];

/** The format's reason in a MALFORMED_MESSAGE error's `cause`, or 'not an envelope'. */
export function reasonOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return isCorruptDataError(cause) ? cause.reason : 'not an envelope';
}

/** What a dead letter tells, as far as {@link alwaysFailing} reads it. */
export interface ToldDeadLetter {
  readonly error: unknown;
  readonly envelope: WireEnvelope | undefined;
  readonly deliveries: number;
}

/**
 * A handler that fails on every delivery of envelope 2 of 1, 2, 3 on `topic`, with
 * `redelivery.attempts` 3: it is tried three times, dead-lettered (`letters` is what
 * `onDeadLetter` was told), and 3 follows. Each transport's test then checks its broker's side.
 */
export async function alwaysFailing(
  transport: Transport,
  topic: string,
  letters: readonly ToldDeadLetter[],
  options: TransportSubscribeOptions = {},
): Promise<void> {
  const tries: number[] = [];
  const got: number[] = [];
  const handler = (envelope: WireEnvelope): void => {
    const n = numberOf(envelope);
    tries.push(n);
    if (n === 2) throw new Error('never works');
    got.push(n);
  };
  await transport.subscribe(topic, handler, options);
  for (const n of [1, 2, 3]) await transport.publish(topic, numbered(n));
  await eventually(() => got.length === 2 && letters.length === 1, 10_000);
  expect(got).toEqual([1, 3]);
  expect(tries).toEqual([1, 2, 2, 2, 3]);
  expect(letters[0]?.deliveries).toBe(3);
  expect((letters[0]!.error as Error).message).toBe('never works');
  expect(numberOf(letters[0]!.envelope!)).toBe(2);
}
