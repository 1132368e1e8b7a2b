// @runtimes node deno bun
/**
 * `localInvoke` across processes over the memory transport: a command routed to 'remote' is
 * invoked in the app that listens for it, which answers with its receptor's value or error; the
 * inbox handles a retried request once.
 */
import { describe, expect, it } from 'vitest';
import { caught, range, sleep } from '../../js/conformance/helpers.ts';
import { isRemoteError } from '../../js/contracts/remote.ts';
import {
  defineCommand,
  defineReceptor,
  isValidationError,
  isWhizbangError,
  memoryTransport,
  payload,
  reply,
  type Transport,
  whizbang,
} from '../../js/mod.ts';
import { bank, Deposit, Deposited } from '../support/invoke-bank.ts';

const Audit = defineCommand('Audit', payload<{ note: string }>());

const teller = () =>
  whizbang('teller').route(Deposit, { to: 'remote' }).route(Audit, { to: 'remote' }).build();

const codeOf = (error: unknown): string => (isWhizbangError(error) ? error.code : String(error));

describe('localInvoke across processes', () => {
  it("resolves with the remote receptor's value; its events land in the remote ledger, same correlation", async () => {
    const transport = memoryTransport();
    const { app: remote } = bank('bank');
    const caller = teller();
    await remote.listen(transport);
    await caller.listen(transport);
    const value = await caller.localInvoke(Deposit({ accountId: 'a1', amount: 5 }));
    expect(value).toEqual({ balance: 5, by: 'bank' });
    const receipt = await caller.send(Deposit({ accountId: 'a1', amount: 7 }));
    expect(receipt).toMatchObject({ status: 'handled', events: 0, version: undefined });
    expect(receipt.envelope.hops.map((h) => h.where)).toEqual(['remote:whizbang.invoke.Deposit']);
    const events = await remote.ledger.readStream('account-a1');
    expect(events.map((e) => e.data)).toEqual([
      { accountId: 'a1', amount: 5 },
      { accountId: 'a1', amount: 7 },
    ]);
    expect(events[1]?.correlationId).toBe(receipt.correlationId);
    expect(events[1]?.causationId).toBe(receipt.messageId);
    expect(await caller.ledger.headPosition()).toBe(0);
    expect(await caller.localInvokeAndSync(Deposit({ accountId: 'a1', amount: 1 }))).toEqual({
      balance: 13,
      by: 'bank',
    });
    await transport.close();
  });

  it("brings the remote receptor's errors back typed, with the same code and message", async () => {
    const transport = memoryTransport();
    const { app: remote } = bank('bank');
    const caller = teller();
    await remote.listen(transport);
    await caller.listen(transport);
    const invalid = await caught(() => caller.localInvoke(Deposit({ accountId: 'a', amount: 0 })));
    expect(isValidationError(invalid)).toBe(true);
    expect(invalid).toMatchObject({
      messageType: 'Deposit',
      issues: [{ message: 'must be positive', path: ['amount'] }],
    });
    const refused = await caught(() =>
      caller.localInvoke(Deposit({ accountId: 'a', amount: 5000 })),
    );
    expect(isRemoteError(refused)).toBe(true);
    expect(refused).toMatchObject({
      code: 'REMOTE_FAILED',
      message: 'Insufficient funds',
      remoteName: 'RangeError',
      topic: 'whizbang.invoke.Deposit',
    });
    // the responder has no receptor for Audit: its NO_HANDLER comes back as it is
    await remote.listen(transport, { topics: [], invokeTopics: ['whizbang.invoke.Audit'] });
    const unknown = await caught(() => caller.localInvoke(Audit({ note: 'x' })));
    expect(codeOf(unknown)).toBe('NO_HANDLER');
    expect((unknown as Error).message).toMatch(/No receptor handles "Audit"/);
    expect(await remote.ledger.headPosition()).toBe(0);
    await transport.close();
  });

  it('says NO_HANDLER when not listening, NO_RESPONDER when nobody answers', async () => {
    const transport = memoryTransport();
    const caller = teller();
    const offline = await caught(() => caller.localInvoke(Deposit({ accountId: 'a', amount: 1 })));
    expect(codeOf(offline)).toBe('NO_HANDLER');
    expect((offline as Error).message).toMatch(/call app\.listen\(transport\)/i);
    const listening = await caller.listen(transport);
    const nobody = await caught(() => caller.localInvoke(Deposit({ accountId: 'a', amount: 1 })));
    expect(codeOf(nobody)).toBe('NO_RESPONDER');
    expect((nobody as Error).message).toContain('whizbang.invoke.Deposit');
    await listening.close();
    const closed = await caught(() => caller.localInvoke(Deposit({ accountId: 'a', amount: 1 })));
    expect(codeOf(closed)).toBe('NO_HANDLER');
    await transport.close();
  });

  it('times out with REQUEST_TIMEOUT; a retry with the same messageId is not handled twice', async () => {
    const transport = memoryTransport();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { app: remote, handled } = bank('bank', { hold: () => held });
    const caller = whizbang('teller').route(Deposit, { to: 'remote', timeoutMs: 30 }).build();
    await remote.listen(transport);
    await caller.listen(transport);
    const messageId = '01900000-0000-7000-8000-0000000000aa';
    const first = await caught(() =>
      caller.localInvoke(Deposit({ accountId: 'r', amount: 3 }), { messageId }),
    );
    expect(codeOf(first)).toBe('REQUEST_TIMEOUT');
    expect((first as Error).message).toMatch(/within 30 ms.*same messageId/);
    release();
    while (handled.length === 0) await sleep(1);
    const again = await caught(() =>
      caller.localInvoke(Deposit({ accountId: 'r', amount: 3 }), { messageId }),
    );
    expect(codeOf(again)).toBe('DUPLICATE_MESSAGE');
    expect((again as Error).message).toMatch(/handled already.*not handled again/);
    expect(handled).toEqual([messageId]);
    expect(await remote.ledger.streamVersion('account-r')).toBe(1);
    // a new message id is a new command
    expect(await caller.localInvoke(Deposit({ accountId: 'r', amount: 1 }))).toEqual({
      balance: 4,
      by: 'bank',
    });
    await transport.close();
  });

  it('has one of two competing responders answer each request, each handled once', async () => {
    const transport = memoryTransport();
    const one = bank('bank');
    const two = bank('bank');
    const caller = teller();
    await one.app.listen(transport);
    await two.app.listen(transport);
    await caller.listen(transport);
    const total = 20;
    const values = await Promise.all(
      range(1, total).map((n) => caller.localInvoke(Deposit({ accountId: `c${n}`, amount: n }))),
    );
    expect(values.map((v) => (v as { balance: number }).balance)).toEqual(range(1, total));
    expect(one.handled.length + two.handled.length).toBe(total);
    expect(new Set([...one.handled, ...two.handled]).size).toBe(total);
    expect(one.handled.length).toBe(total / 2); // the memory transport takes turns
    await transport.close();
  });

  it('runs simultaneous duplicates of one request once: the others wait, then hear DUPLICATE_MESSAGE', async () => {
    const transport = memoryTransport();
    const { app: remote, handled } = bank('bank');
    const caller = teller();
    await remote.listen(transport);
    await caller.listen(transport);
    const messageId = '01900000-0000-7000-8000-0000000000bb';
    const results = await Promise.allSettled(
      range(1, 3).map(() =>
        caller.localInvoke(Deposit({ accountId: 'd', amount: 2 }), { messageId }),
      ),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((r) => codeOf(r.reason))).toEqual([
      'DUPLICATE_MESSAGE',
      'DUPLICATE_MESSAGE',
    ]);
    expect(handled).toEqual([messageId]);
    expect(await remote.ledger.streamVersion('account-d')).toBe(1);
    await transport.close();
  });

  it('uses a local receptor before the remote route, and a route topic of its own', async () => {
    const transport = memoryTransport();
    const { app: remote } = bank('bank');
    await remote.listen(transport, { invokeTopics: ['bank.deposit'] });
    const local = bank('branch', { app: 'branch' });
    const both = whizbang('branch').route(Deposit, { to: 'remote', topic: 'bank.deposit' }).build();
    await both.listen(transport);
    expect(await both.localInvoke(Deposit({ accountId: 't', amount: 2 }))).toEqual({
      balance: 2,
      by: 'bank',
    });
    const withReceptor = whizbang('branch')
      .route(Deposit, { to: 'remote', topic: 'bank.deposit' })
      .receptor(defineReceptor({ command: Deposit, handle: (c) => reply({ here: c.data.amount }) }))
      .build();
    await withReceptor.listen(transport, { invokeTopics: [] });
    expect(await withReceptor.localInvoke(Deposit({ accountId: 't', amount: 2 }))).toEqual({
      here: 2,
    });
    expect(local.handled).toEqual([]);
    await transport.close();
  });

  it('checks routes and transports that carry no requests', async () => {
    const bad = (fn: () => unknown, text: RegExp) => {
      const error = (() => {
        try {
          fn();
        } catch (e) {
          return e;
        }
      })();
      expect(codeOf(error)).toBe('INVALID_ARGUMENT');
      expect((error as Error).message).toMatch(text);
    };
    bad(() => whizbang().route(Deposited, { to: 'remote' }), /is an event/);
    bad(() => whizbang().route(Deposit, { to: 'outbox', timeoutMs: 10 }), /routed to 'remote'/);
    bad(() => whizbang().route(Deposit, { to: 'remote', timeoutMs: 0 }), /timeoutMs/);
    const plain: Transport = {
      name: 'plain',
      publish: () => {},
      subscribe: () => ({ close: () => {} }),
    };
    const caller = teller();
    const sub = await caller.listen(plain);
    expect(codeOf(await caught(() => caller.localInvoke(Audit({ note: 'n' }))))).toBe('NO_HANDLER');
    await sub.close();
    const { app: remote } = bank('bank');
    await expect(remote.listen(plain, { invokeTopics: ['x.y'] })).rejects.toThrow(
      /does not carry requests/,
    );
  });
});
