// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  accounts,
  createBank,
  Deposit,
  GetBalance,
  OpenAccount,
  totals,
} from '../../examples/bank/domain.ts';
import type { RecordedEvent } from '../../js/mod.ts';
import { subscribe } from '../../js/mod.ts';

// Acme's data, read as Globex through every read path: nothing comes back.
describe('tenants never see each other', () => {
  const seeded = async () => {
    const bank = createBank();
    await bank.send(OpenAccount({ accountId: 'a', owner: 'Acme Ada' }), { tenant: 'acme' });
    await bank.send(Deposit({ accountId: 'a', amount: 100 }), { tenant: 'acme' });
    await bank.waitForPerspectives();
    return bank;
  };

  it('lens get and query', async () => {
    const bank = await seeded();
    expect(await bank.lens(accounts).get('a', { tenant: 'globex' })).toBeUndefined();
    expect(await bank.lens(accounts).query({ tenant: 'globex' })).toEqual([]);
    expect(await bank.lens(totals).get('bank', { tenant: 'globex' })).toBeUndefined();
    expect(await bank.lens(accounts).get('a', { tenant: 'acme' })).toMatchObject({ balance: 100 });
    await bank.close();
  });

  it('readStream, readAll and streamVersion', async () => {
    const bank = await seeded();
    expect(await bank.ledger.readStream('account-a', { tenant: 'globex' })).toEqual([]);
    expect(await bank.ledger.streamVersion('account-a', { tenant: 'globex' })).toBe(0);
    expect(await bank.ledger.readAll({ tenant: 'globex' })).toEqual([]);
    expect(await bank.ledger.readAll({ tenant: 'acme' })).toHaveLength(2);
    await bank.close();
  });

  it('subscriptions, in catch-up and live', async () => {
    const bank = await seeded();
    const seen: RecordedEvent[] = [];
    const sub = subscribe(bank.ledger, (e) => void seen.push(e), { tenant: 'globex' });
    await bank.send(Deposit({ accountId: 'a', amount: 1 }), { tenant: 'acme' });
    await sub.waitFor();
    expect(seen).toEqual([]);
    await sub.stop();
    await bank.close();
  });

  it('receptor state: Globex cannot act on or query Acme’s account', async () => {
    const bank = await seeded();
    await expect(
      bank.localInvoke(GetBalance({ accountId: 'a' }), { tenant: 'globex' }),
    ).rejects.toThrow(/not open/);
    await expect(
      bank.send(Deposit({ accountId: 'a', amount: 1 }), { tenant: 'globex' }),
    ).rejects.toThrow(/not open/);
    expect(await bank.localInvoke(GetBalance({ accountId: 'a' }), { tenant: 'acme' })).toBe(100);
    await bank.close();
  });
});
