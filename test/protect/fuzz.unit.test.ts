// Stored protected values and seal markers from anywhere: each is opened, read as redacted, or
// refused with PROTECTED_DATA_TAMPERED; never another error, never a value that was not sealed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWhizbangError, memoryDriver } from '../../js/mod.ts';
import { memoryKeyStore, protect, REDACTED } from '../../js/protect/mod.ts';
import { nodeCipher } from '../../js/protect/node.ts';
import { ada, masterKey, Registered } from './fixture.ts';

describe('protected values from anywhere', () => {
  it('open, redact or refuse with a stable code', async () => {
    const keys = memoryKeyStore();
    const master = await masterKey();
    const inner = memoryDriver();
    const source = protect(inner, { master, keys, events: [Registered] });
    await source.ledger.append('customer-c-1', [Registered(ada())]);
    const [stored] = inner.ledger.readAll() as any[];
    const value = fc.oneof(
      fc.string(),
      fc.base64String(),
      fc.constant(stored.data.email),
      fc.integer(),
      fc.constant(null),
      fc.dictionary(fc.string(), fc.string()),
    );
    const mark = fc.oneof(
      fc.constant(stored.metadata.protected),
      fc.record({
        s: fc.oneof(fc.constant('c-1'), fc.string()),
        k: fc.oneof(fc.constant(stored.metadata.protected.k), fc.string()),
        f: fc.oneof(
          fc.constant(['email', 'address.street']),
          fc.array(fc.string(), { maxLength: 3 }),
        ),
      }),
      fc.anything(),
    );
    for (const cipher of [undefined, nodeCipher()]) {
      await fc.assert(
        fc.asyncProperty(value, value, mark, async (email, street, protectedMark) => {
          const copy = memoryDriver();
          copy.ledger.append('customer-c-1', [
            {
              type: 'Registered',
              messageId: stored.messageId,
              data: { ...stored.data, email, address: { ...stored.data.address, street } },
              metadata: { protected: protectedMark },
            },
          ]);
          const reader = protect(copy, { master, keys, events: [Registered], cipher });
          try {
            const [read] = (await reader.ledger.readAll()) as any[];
            // opened: only the sealed values come out, else the marker
            expect([ada().email, REDACTED, email]).toContainEqual(read.data.email);
          } catch (error) {
            expect(isWhizbangError(error, 'PROTECTED_DATA_TAMPERED')).toBe(true);
          }
        }),
        { numRuns: 150 },
      );
    }
  });
});
