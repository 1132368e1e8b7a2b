/** Bad input: refused before the transaction, or rolled back whole. */
import { describe, expect, it } from 'vitest';
import { caught } from '../../../js/conformance/helpers.ts';
import { codeOf, type IndexedDbContext, message } from './context.ts';

export function badInputSuite({ label, env, open, fresh }: IndexedDbContext): void {
  describe(`${label}: bad input`, () => {
    it('refuses an event over maxPayloadBytes before the transaction; its append writes nothing', async () => {
      const driver = await open(env.freshName(), { maxPayloadBytes: 100 });
      try {
        await driver.ledger.append('s', [{ type: 'AtLimit', data: 'x'.repeat(98) }]); // 100 bytes
        const refused = [
          [
            { type: 'Fine', data: 1 },
            { type: 'Big', data: 'x'.repeat(99) },
          ],
          [{ type: 'Big', data: 1, metadata: { note: 'x'.repeat(100) } }],
          // 60 × "é" is 62 characters of JSON but 122 bytes of UTF-8
          [{ type: 'Big', data: 'é'.repeat(60) }],
        ];
        for (const events of refused) {
          const error = await caught(() => driver.ledger.append('s', events));
          expect(codeOf(error)).toBe('INVALID_ARGUMENT');
          expect(message(error)).toMatch(/"Big".*over the 100-byte limit.*nothing was written/);
        }
        expect(await driver.ledger.headPosition()).toBe(1);
        expect((await driver.ledger.readAll()).map((e) => e.type)).toEqual(['AtLimit']);
      } finally {
        driver.close();
      }
    });

    it('refuses data JSON cannot hold before the transaction, and writes nothing', async () => {
      const driver = await fresh();
      try {
        const error = await caught(() => driver.ledger.append('s', [{ type: 'T', data: 1n }]));
        expect(codeOf(error)).toBe('INVALID_ARGUMENT');
        expect(message(error)).toMatch(/cannot be stored as JSON.*nothing was written/);
        expect(await driver.ledger.headPosition()).toBe(0);
      } finally {
        driver.close();
      }
    });

    it('a model the browser cannot clone rolls the whole append back', async () => {
      const driver = await fresh();
      try {
        const error = await caught(() =>
          driver.ledger.append('s', [{ type: 'T', data: {} }], {
            inTransaction: (_events, tx) =>
              tx.put('p', {
                id: 'a',
                tenant: 'default',
                model: { run: () => 1 },
                version: 1,
                position: 1,
                updatedAt: 0,
              }),
          }),
        );
        expect(codeOf(error)).toMatch(/^DataCloneError: /);
        expect(await driver.ledger.headPosition()).toBe(0);
        expect(await driver.store.get('p', 'default', 'a')).toBeUndefined();
      } finally {
        driver.close();
      }
    });

    it('a write the transaction callback does not await, made after it committed, is refused', async () => {
      const driver = await fresh();
      try {
        // the callback keeps its transaction and returns without awaiting; the write comes once the
        // transaction has committed (after its promise settled, so no timing is assumed)
        let kept: Parameters<Parameters<typeof driver.store.transaction>[0]>[0] | undefined;
        await driver.store.transaction((tx) => {
          kept = tx;
        });
        const late = Promise.resolve()
          .then(() =>
            kept!.put('p', {
              id: 'late',
              tenant: 'default',
              model: {},
              version: 1,
              position: 1,
              updatedAt: 0,
            }),
          )
          .then(
            () => 'written',
            (error: unknown) => error,
          );
        const error = await late;
        expect(codeOf(error)).toBe('CLOSED');
        expect(message(error)).toMatch(/already committed/);
        expect(await driver.store.get('p', 'default', 'late')).toBeUndefined();
      } finally {
        driver.close();
      }
    });
  });
}
