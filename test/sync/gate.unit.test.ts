/** The turn-taking of local appends and a sync round's critical sections on one replica. */
import { describe, expect, it } from 'vitest';
import { Gate } from '../../js/sync/gate.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('sync gate', () => {
  it('runs a local append at once (synchronously) when no critical section holds', () => {
    const gate = new Gate();
    expect(gate.local(() => 42)).toBe(42);
  });

  it('holds local appends while a critical section runs, and the section waits for appends under way', async () => {
    const gate = new Gate();
    const seen: string[] = [];
    let finishAppend!: () => void;
    const inFlight = gate.local(
      () =>
        new Promise<void>((resolve) => {
          finishAppend = () => {
            seen.push('append 1 done');
            resolve();
          };
        }),
    );
    const section = gate.exclusive(async () => {
      seen.push('section starts');
      await tick();
      seen.push('section ends');
    });
    await tick();
    const later = gate.local(() => seen.push('append 2'));
    await tick();
    expect(seen).toEqual([]); // the section waits for append 1; append 2 waits for the section
    finishAppend();
    await Promise.all([inFlight, section, later]);
    expect(seen).toEqual(['append 1 done', 'section starts', 'section ends', 'append 2']);
  });

  it('a failing append or section releases its turn', async () => {
    const gate = new Gate();
    expect(() =>
      gate.local(() => {
        throw new Error('refused');
      }),
    ).toThrow('refused');
    await expect(gate.exclusive(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(gate.local(() => 'free')).toBe('free');
  });
});

describe('sync gate: decisions taken before a tail was replaced', () => {
  it('a command appending to a stream whose tail sync replaced meanwhile is refused once (its retry reads the new state); a rebase decision is not', async () => {
    const { sqliteDriver } = await import('../../adapters/sqlite/mod.ts');
    const { offlineDriver, gateOf } = await import('../../js/sync/driver.ts');
    const { createEnvelope } = await import('../../js/messages/envelope.ts');
    const { isConcurrencyError } = await import('../../js/util/errors.ts');
    const driver = offlineDriver(sqliteDriver({ path: ':memory:' }));
    const command = (id: string) =>
      createEnvelope({ kind: 'command', type: 'Deposit', data: {} } as never, {
        messageId: id,
      }) as never;
    const event = [{ type: 'MoneyDeposited', data: { amount: 1 } }];
    await driver.ledger.append('acc', event, { expectedVersion: 0, cause: command('c0') });
    gateOf(driver).rewound('default\u0000acc');
    let refused: unknown;
    try {
      await driver.ledger.append('acc', event, { expectedVersion: 1, cause: command('c1') });
    } catch (error) {
      refused = error;
    }
    expect(isConcurrencyError(refused)).toBe(true);
    // the retry of the same command goes through
    await driver.ledger.append('acc', event, { expectedVersion: 1, cause: command('c1') });
    gateOf(driver).deciding('default\u0000acc', 'c2');
    await driver.ledger.append('acc', event, { expectedVersion: 2, cause: command('c2') });
    expect(await driver.ledger.streamVersion('acc')).toBe(3);
    await driver.close?.();
  });
});
