// Stored at-rest values from anywhere: each opens to what was sealed for that place, or is refused
// with AT_REST_TAMPERED; never another error, never a value that was not sealed there.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWhizbangError } from '../../js/mod.ts';
import { AT_REST_PREFIX, Box, contextOf, sealedPiece } from '../../js/protect/atrest-box.ts';
import { webCipher } from '../../js/protect/crypto.ts';
import { nodeCipher } from '../../js/protect/node.ts';

const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
  'encrypt',
  'decrypt',
]);

describe('the at-rest decoder', () => {
  it('opens what was sealed for the place, refuses anything else with AT_REST_TAMPERED', async () => {
    for (const cipher of [webCipher, nodeCipher()]) {
      const box = new Box(key, cipher);
      const here = contextOf('event', 'default', 's-1', 'm-1', 'T');
      const value = { email: 'ada@example.org', n: [1, 2, 3] };
      const stored = await box.seal(here, value);
      expect(await box.open(here, stored, () => 'x')).toEqual(value);
      const piece = sealedPiece(stored)!;
      const mutated = fc
        .tuple(fc.nat({ max: piece.length - 1 }), fc.constantFrom(...'AQgw+/09'))
        .map(([i, c]) => `${AT_REST_PREFIX}${piece.slice(0, i)}${c}${piece.slice(i + 1)}`);
      const input = fc.oneof(
        fc.anything(),
        fc.string(),
        fc.base64String().map((b) => AT_REST_PREFIX + b),
        fc.string().map((s) => AT_REST_PREFIX + s),
        mutated,
        fc.nat({ max: piece.length }).map((n) => stored.slice(0, AT_REST_PREFIX.length + n)),
        fc.constant(stored),
        // the last character before the padding, every value: only the canonical one opens
        fc
          .constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
          .map((c) => {
            const end = stored.length - (stored.endsWith('==') ? 3 : stored.endsWith('=') ? 2 : 1);
            return stored.slice(0, end) + c + stored.slice(end + 1);
          }),
      );
      const place = fc.oneof(
        fc.constant(here),
        fc.string().map((s) => contextOf('event', 'default', 's-1', s, 'T')),
      );
      await fc.assert(
        fc.asyncProperty(input, place, async (raw, context) => {
          try {
            const opened = await box.open(context, raw, () => 'fuzzed value');
            // only the sealed bytes, at their own place, open
            expect(raw).toBe(stored);
            expect(context).toBe(here);
            expect(opened).toEqual(value);
          } catch (error) {
            expect(isWhizbangError(error, 'AT_REST_TAMPERED')).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
    }
  });
});
