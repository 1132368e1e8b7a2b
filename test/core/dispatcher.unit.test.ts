// @runtimes node deno bun
import { describe, expect, it } from 'vitest';
import {
  AccountOpened,
  accounts,
  BankError,
  createBank,
  Deposit,
  GetBalance,
  OpenAccount,
  Transfer,
  transfers,
  Withdraw,
} from '../../examples/bank/domain.ts';
import {
  type Driver,
  defineCommand,
  defineEvent,
  defineReceptor,
  isConcurrencyError,
  isWhizbangError,
  memoryDriver,
  payload,
  whizbang,
} from '../../js/mod.ts';
import { asyncDriver } from '../support/async-driver.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const drivers: Array<[string, () => Driver]> = [
  ['memory', () => memoryDriver()],
  ['async', () => asyncDriver(memoryDriver())],
];

for (const [driverName, makeDriver] of drivers) {
  describe(`dispatcher on a ${driverName} driver`, () => {
    const open = async () => {
      const bank = createBank({ driver: makeDriver() });
      await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada', overdraftLimit: 50 }));
      await bank.send(OpenAccount({ accountId: 'b', owner: 'Bob' }));
      return bank;
    };

    it('sends a command and returns a receipt with the envelope and its hop', async () => {
      const bank = createBank({ driver: makeDriver() });
      const receipt = await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
      expect(receipt).toMatchObject({
        type: 'OpenAccount',
        status: 'handled',
        streamId: 'account-a',
        version: 1,
        position: 1,
        events: 1,
      });
      expect(receipt.messageId).toMatch(UUID_V7);
      expect(receipt.correlationId).toBe(receipt.messageId);
      const [hop] = receipt.envelope.hops;
      expect(hop?.where).toBe('receptor:OpenAccount');
      expect(hop?.service).toBe('bank');
      expect(hop?.durationMs).toBeGreaterThanOrEqual(0);
      expect(hop?.traceparent).toMatch(
        new RegExp(`^00-${receipt.envelope.traceId}-[0-9a-f]{16}-01$`),
      );
      const [event] = await bank.ledger.readStream('account-a');
      expect(event).toMatchObject({
        type: 'AccountOpened',
        data: { accountId: 'a', owner: 'Ada', overdraftLimit: 0 },
      });
      expect(event?.causationId).toBe(receipt.messageId);
      expect(event?.correlationId).toBe(receipt.messageId);
      await bank.close();
    });

    it('refuses what a stateful receptor decides against, and writes nothing', async () => {
      const bank = await open();
      const head = await bank.ledger.headPosition();
      await expect(bank.send(OpenAccount({ accountId: 'a', owner: 'Eve' }))).rejects.toThrow(
        BankError,
      );
      await expect(bank.send(Withdraw({ accountId: 'a', amount: 51 }))).rejects.toThrow(
        /overdraft limit of 50/,
      );
      expect(await bank.ledger.headPosition()).toBe(head);
      await bank.send(Withdraw({ accountId: 'a', amount: 50 }));
      expect(await bank.lens(accounts).get('a')).toMatchObject({ balance: -50, movements: 1 });
      await bank.close();
    });

    it('answers localInvoke with the receptor’s reply', async () => {
      const bank = await open();
      await bank.send(Deposit({ accountId: 'a', amount: 30 }));
      await bank.send(Deposit({ accountId: 'a', amount: 12 }));
      const balance: number = await bank.localInvoke(GetBalance({ accountId: 'a' }));
      expect(balance).toBe(42);
      await expect(bank.localInvoke(GetBalance({ accountId: 'nobody' }))).rejects.toThrow(
        /not open/,
      );
      await bank.close();
    });

    it('carries a transfer through its cascade, one correlation id from start to end', async () => {
      const bank = await open();
      await bank.send(Deposit({ accountId: 'a', amount: 100 }));
      const receipt = await bank.send(
        Transfer({ transferId: 't1', from: 'a', to: 'b', amount: 70 }),
      );
      expect(await bank.lens(accounts).get('a')).toMatchObject({ balance: 30 });
      expect(await bank.lens(accounts).get('b')).toMatchObject({ balance: 70 });
      expect(await bank.lens(transfers).get('t1')).toMatchObject({
        status: 'completed',
        amount: 70,
      });
      const chain = (await bank.ledger.readAll()).filter(
        (e) => e.correlationId === receipt.correlationId,
      );
      expect(chain.map((e) => e.type)).toEqual([
        'TransferRequested',
        'MoneyWithdrawn',
        'MoneyDeposited',
        'TransferCompleted',
      ]);
      expect(receipt.position).toBe(chain.at(-1)?.position);
      // each event is caused by the message before it: command -> event -> command -> event …
      const byId = new Map(chain.map((e) => [e.messageId, e]));
      expect(chain[0]?.causationId).toBe(receipt.messageId);
      for (const event of chain.slice(1)) expect(byId.has(event.causationId)).toBe(false); // caused by a command
      await bank.close();
    });

    it('fails a transfer the source account declines, and moves no money', async () => {
      const bank = await open();
      await bank.send(Transfer({ transferId: 't2', from: 'b', to: 'a', amount: 10 }));
      expect(await bank.lens(transfers).get('t2')).toMatchObject({
        status: 'failed',
        reason: expect.stringMatching(/overdraft/),
      });
      expect(await bank.lens(accounts).get('a')).toMatchObject({ balance: 0 });
      expect(await bank.lens(accounts).get('b')).toMatchObject({ balance: 0 });
      await bank.close();
    });

    it('publishes events to a stream, with the expected version checked', async () => {
      const bank = createBank({ driver: makeDriver() });
      const receipt = await bank.publish(
        AccountOpened({ accountId: 'p', owner: 'Pat', overdraftLimit: 0 }),
        {
          stream: 'account-p',
          expectedVersion: 'no_stream',
        },
      );
      expect(receipt).toMatchObject({ streamId: 'account-p', version: 1, events: 1 });
      expect(await bank.lens(accounts).get('p')).toMatchObject({ owner: 'Pat' });
      const again = bank.publish(
        AccountOpened({ accountId: 'p', owner: 'Pat', overdraftLimit: 0 }),
        {
          stream: 'account-p',
          expectedVersion: 'no_stream',
        },
      );
      await expect(again).rejects.toSatisfy(isConcurrencyError);
      // the account is real to receptors too
      await bank.send(Deposit({ accountId: 'p', amount: 5 }));
      expect(await bank.localInvoke(GetBalance({ accountId: 'p' }))).toBe(5);
      await expect(
        bank.publish(
          AccountOpened({ accountId: 'q', owner: 'Q', overdraftLimit: 0 }),
          undefined as never,
        ),
      ).rejects.toThrow(/stream/);
      await bank.close();
    });

    it('publishes several events in one append', async () => {
      const bank = createBank({ driver: makeDriver() });
      const e = (owner: string) => AccountOpened({ accountId: owner, owner, overdraftLimit: 0 });
      const receipt = await bank.publishMany([e('x'), e('y'), e('z')], { stream: 'bulk' });
      expect(receipt).toMatchObject({ version: 3, events: 3, position: 3 });
      const events = await bank.ledger.readStream('bulk');
      expect(events.map((x) => x.version)).toEqual([1, 2, 3]);
      expect(new Set(events.map((x) => x.correlationId)).size).toBe(1);
      await expect(bank.publishMany([], { stream: 'bulk' })).rejects.toThrow(/at least one/);
      await bank.close();
    });

    it('sends many commands in order and stops at the first failure', async () => {
      const bank = await open();
      const receipts = await bank.sendMany([
        Deposit({ accountId: 'a', amount: 1 }),
        Deposit({ accountId: 'a', amount: 2 }),
      ]);
      expect(receipts.map((r) => r.version)).toEqual([2, 3]);
      await expect(
        bank.sendMany([
          Deposit({ accountId: 'b', amount: 1 }),
          Deposit({ accountId: 'b', amount: -1 }),
          Deposit({ accountId: 'b', amount: 5 }),
        ]),
      ).rejects.toThrow(/positive/);
      expect(await bank.lens(accounts).get('b')).toMatchObject({ balance: 1 });
      await bank.close();
    });

    it('keeps tenants apart on every path', async () => {
      const bank = createBank({ driver: makeDriver() });
      await bank.send(OpenAccount({ accountId: 'a', owner: 'Acme Ada' }), { tenant: 'acme' });
      await bank.send(OpenAccount({ accountId: 'a', owner: 'Globex Ada' }), { tenant: 'globex' });
      await bank.send(Deposit({ accountId: 'a', amount: 9 }), { tenant: 'acme' });
      expect(await bank.lens(accounts).get('a')).toBeUndefined();
      expect(await bank.lens(accounts).get('a', { tenant: 'acme' })).toMatchObject({
        owner: 'Acme Ada',
        balance: 9,
      });
      expect(await bank.lens(accounts).get('a', { tenant: 'globex' })).toMatchObject({
        owner: 'Globex Ada',
        balance: 0,
      });
      expect(await bank.lens(accounts).query({ tenant: 'globex' })).toHaveLength(1);
      expect(await bank.ledger.readStream('account-a', { tenant: 'globex' })).toHaveLength(1);
      expect(await bank.localInvoke(GetBalance({ accountId: 'a' }), { tenant: 'acme' })).toBe(9);
      await expect(bank.localInvoke(GetBalance({ accountId: 'a' }))).rejects.toThrow(/not open/);
      await bank.close();
    });

    it('continues a trace given a W3C traceparent and carries the trace through the cascade', async () => {
      const bank = await open();
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const receipt = await bank.send(Deposit({ accountId: 'a', amount: 1 }), {
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      });
      expect(receipt.envelope.traceId).toBe(traceId);
      expect(receipt.envelope.hops[0]?.traceparent.startsWith(`00-${traceId}-`)).toBe(true);
      await bank.close();
    });

    it('refuses a command that nothing handles at run time, with the fix in the message', async () => {
      const bank = createBank({ driver: makeDriver() });
      const Unknown = defineCommand('Unknown', payload<{ x: number }>());
      const error = await (bank.send as (c: unknown) => Promise<unknown>)(Unknown({ x: 1 })).catch(
        (e: unknown) => e,
      );
      expect(isWhizbangError(error, 'NO_HANDLER')).toBe(true);
      expect(String(error)).toMatch(/No receptor handles "Unknown"/);
      await expect((bank.send as (c: unknown) => Promise<unknown>)({ nope: true })).rejects.toThrow(
        /Expected a message/,
      );
      await bank.close();
      await expect(bank.send(Deposit({ accountId: 'a', amount: 1 }))).rejects.toSatisfy(
        (e: unknown) => isWhizbangError(e, 'CLOSED'),
      );
    });
  });
}

describe('registration and cascade errors', () => {
  const Ping = defineCommand('Ping', payload<{ n: number }>());
  const Pinged = defineEvent('Pinged', payload<{ n: number }>());

  it('refuses two receptors for one command', () => {
    const r = defineReceptor({ command: Ping, handle: () => undefined });
    expect(() => whizbang().receptor(r).receptor(r)).toThrow(
      expect.objectContaining({ code: 'DUPLICATE_HANDLER' }),
    );
  });

  it('needs a stream for a receptor that returns events', async () => {
    const app = whizbang()
      .receptor(defineReceptor({ command: Ping, handle: (c) => Pinged(c.data) }))
      .build();
    await expect(app.send(Ping({ n: 1 }))).rejects.toSatisfy((e: unknown) =>
      isWhizbangError(e, 'STREAM_REQUIRED'),
    );
    expect(await app.ledger.headPosition()).toBe(0);
  });

  it('stops a cascade that loops, naming the correlation', async () => {
    const loop = defineReceptor({
      command: Ping,
      stream: () => 'loop',
      handle: (c) => [Pinged(c.data), Ping({ n: c.data.n + 1 })],
    });
    const app = whizbang().receptor(loop).build({ maxCascadeDepth: 5 });
    const error = await app.send(Ping({ n: 0 })).catch((e: unknown) => e);
    expect(isWhizbangError(error, 'CASCADE_TOO_DEEP')).toBe(true);
    expect(String(error)).toMatch(/correlation/);
    expect(await app.ledger.streamVersion('loop')).toBe(6); // depth 0..5 each appended before cascading
  });

  it('refuses an event returned by an event handler', async () => {
    const app = whizbang()
      .receptor(defineReceptor({ command: Ping, stream: () => 's', handle: (c) => Pinged(c.data) }))
      .on(Pinged, (e) => Pinged(e.data))
      .build();
    await expect(app.send(Ping({ n: 1 }))).rejects.toSatisfy((e: unknown) =>
      isWhizbangError(e, 'INVALID_ARGUMENT'),
    );
  });

  it('lets a stateless receptor answer without writing anything', async () => {
    const Echo = defineCommand('Echo', payload<{ text: string }>());
    const app = whizbang()
      .receptor(defineReceptor({ command: Echo, handle: async (c) => c.data.text.toUpperCase() }))
      .build();
    expect(await app.localInvoke(Echo({ text: 'hi' }))).toBe('HI');
    const receipt = await app.send(Echo({ text: 'hi' }));
    expect(receipt).toMatchObject({ events: 0, version: undefined, position: 0 });
  });
});
