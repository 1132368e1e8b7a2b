/**
 * The built app's inference: the builder records every handled command, so `send` and
 * `localInvoke` accept exactly those, `localInvoke` resolves to what the receptor returned, and
 * lenses and `publish` are typed from their definitions.
 */
import { describe, expectTypeOf, test } from 'vitest';
import {
  type DeliveryReceipt,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  type MessageOf,
  payload,
  type RecordedEvent,
  reply,
  whizbang,
} from '../../js/mod.ts';

const OpenAccount = defineCommand('OpenAccount', payload<{ accountId: string; owner: string }>());
const Deposit = defineCommand('Deposit', payload<{ accountId: string; amount: number }>());
const Quote = defineCommand('Quote', payload<{ amount: number }>());
const Audit = defineCommand('Audit', payload<{ note: string }>());
const CloseAccount = defineCommand('CloseAccount', payload<{ accountId: string }>());
const Opened = defineEvent('Opened', payload<{ accountId: string; owner: string }>());
const Deposited = defineEvent('Deposited', payload<{ accountId: string; amount: number }>());
const Flagged = defineEvent('Flagged', payload<{ reason: string }>());

type AccountEvent = MessageOf<typeof Opened> | MessageOf<typeof Deposited>;
const Account = defineState<{ open: boolean; balance: number }, AccountEvent>({
  initial: () => ({ open: false, balance: 0 }),
  evolve: (account, e) =>
    e.type === 'Opened'
      ? { ...account, open: true }
      : { ...account, balance: account.balance + e.data.amount },
});

// Returns an event message: localInvoke resolves to that message.
const openAccount = defineReceptor({
  command: OpenAccount,
  stream: (c) => `account-${c.data.accountId}`,
  state: Account,
  decide: (c) => Opened(c.data),
});
// Returns reply(value, ...events): localInvoke resolves to the value.
const deposit = defineReceptor({
  command: Deposit,
  stream: (c) => `account-${c.data.accountId}`,
  state: Account,
  decide: (c, account) => reply(account.balance + c.data.amount, Deposited(c.data)),
});
// Returns a plain value.
const quote = defineReceptor({ command: Quote, handle: (c) => ({ fee: c.data.amount / 100 }) });
// Async: the Promise is unwrapped, and so is a reply inside it.
const audit = defineReceptor({
  command: Audit,
  handle: async (c) => reply(c.data.note.length, Flagged({ reason: c.data.note })),
});

const balances = definePerspective({
  name: 'balances',
  events: [Opened, Deposited],
  initial: () => ({ owner: '', balance: 0 }),
  apply: (m, e) =>
    e.type === 'Opened'
      ? { ...m, owner: e.data.owner }
      : { ...m, balance: m.balance + e.data.amount },
});

const app = whizbang('bank')
  .receptor(openAccount)
  .receptor(deposit)
  .receptor(quote)
  .receptor(audit)
  .perspective(balances)
  .build();

const open = OpenAccount({ accountId: 'a-1', owner: 'Ada' });
const pay = Deposit({ accountId: 'a-1', amount: 10 });
const close = CloseAccount({ accountId: 'a-1' });
// Same type name as a handled command, different data: still not what the receptor takes.
const Imposter = defineCommand('Deposit', payload<{ accountId: number }>());
const imposter = Imposter({ accountId: 1 });

describe('send and localInvoke accept exactly the handled commands', () => {
  test('every registered command is accepted', () => {
    expectTypeOf(app.send(open)).toEqualTypeOf<Promise<DeliveryReceipt>>();
    expectTypeOf(app.send(pay)).toEqualTypeOf<Promise<DeliveryReceipt>>();
    expectTypeOf(app.sendMany([open, pay])).toEqualTypeOf<Promise<DeliveryReceipt[]>>();
    expectTypeOf(app.send).toBeCallableWith(Quote({ amount: 1 }), { tenant: 't-1' });
    expectTypeOf(app.localInvoke).toBeCallableWith(Audit({ note: 'x' }));
  });

  test('a command no receptor handles does not compile', () => {
    // @ts-expect-error CloseAccount has no receptor
    app.send(close);
    // @ts-expect-error CloseAccount has no receptor
    app.sendMany([open, close]);
    // @ts-expect-error CloseAccount has no receptor
    app.localInvoke(close);
    // @ts-expect-error CloseAccount has no receptor
    app.localInvokeAndSync(close);
    // @ts-expect-error a "Deposit" whose data differs from the handled Deposit's
    app.send(imposter);
    // @ts-expect-error an event is not a command
    app.send(Opened({ accountId: 'a-1', owner: 'Ada' }));
  });

  test('an app with no receptors refuses every command', () => {
    const empty = whizbang().build();
    // @ts-expect-error nothing is handled
    empty.send(open);
    // @ts-expect-error nothing is handled
    empty.sendMany([open]);
    // @ts-expect-error nothing is handled
    empty.localInvoke(open);
    // @ts-expect-error nothing is handled
    empty.localInvokeAndSync(open);
    // Registering only perspectives and event handlers handles no command either.
    const readOnly = whizbang()
      .perspective(balances)
      .on(Deposited, () => undefined)
      .build();
    // @ts-expect-error nothing is handled
    readOnly.send(pay);
  });
});

describe("a command routed to 'remote' is invoked in another app", () => {
  test('it becomes sendable; its result is unknown, or the type given', () => {
    const caller = whizbang().route(CloseAccount, { to: 'remote' }).build();
    expectTypeOf(caller.localInvoke(close)).resolves.toEqualTypeOf<unknown>();
    expectTypeOf(caller.send(close)).toEqualTypeOf<Promise<DeliveryReceipt>>();
    const typed = whizbang()
      .route<typeof CloseAccount, { closed: boolean }>(CloseAccount, {
        to: 'remote',
        timeoutMs: 2_000,
      })
      .build();
    expectTypeOf(typed.localInvoke(close)).resolves.toEqualTypeOf<{ closed: boolean }>();
    // @ts-expect-error OpenAccount is neither handled nor routed
    typed.localInvoke(open);
  });
});

describe('localInvoke resolves to what the receptor returned', () => {
  test('a returned message is the value', () => {
    expectTypeOf(app.localInvoke(open)).resolves.toEqualTypeOf<MessageOf<typeof Opened>>();
  });

  test('reply(value, ...messages) unwraps to the value', () => {
    expectTypeOf(app.localInvoke(pay)).resolves.toEqualTypeOf<number>();
    expectTypeOf(app.localInvokeAndSync(pay)).resolves.toEqualTypeOf<number>();
  });

  test('a plain value is the value', () => {
    expectTypeOf(app.localInvoke(Quote({ amount: 5 }))).resolves.toEqualTypeOf<{ fee: number }>();
  });

  test('an async handler is unwrapped, reply included', () => {
    expectTypeOf(app.localInvoke(Audit({ note: 'x' }))).resolves.toEqualTypeOf<number>();
    const later = defineReceptor({ command: Quote, handle: async () => 'done' as const });
    const lateApp = whizbang().receptor(later).build();
    expectTypeOf(lateApp.localInvoke(Quote({ amount: 1 }))).resolves.toEqualTypeOf<'done'>();
  });

  test('a reply in only some branches unwraps in those branches', () => {
    const maybe = defineReceptor({
      command: Quote,
      handle: (c) => (c.data.amount > 0 ? reply(c.data.amount) : undefined),
    });
    const maybeApp = whizbang().receptor(maybe).build();
    expectTypeOf(maybeApp.localInvoke(Quote({ amount: 1 }))).resolves.toEqualTypeOf<
      number | undefined
    >();
  });
});

describe('lenses and publish', () => {
  test('a lens reads the perspective model', () => {
    type Model = { owner: string; balance: number };
    expectTypeOf(app.lens(balances).get('account-a-1')).toEqualTypeOf<Promise<Model | undefined>>();
    expectTypeOf(app.lens(balances).query()).toEqualTypeOf<Promise<Model[]>>();
  });

  test('publish takes any event and requires a stream', () => {
    const flagged = Flagged({ reason: 'manual' });
    expectTypeOf(app.publish(flagged, { stream: 'audit' })).toEqualTypeOf<
      Promise<DeliveryReceipt>
    >();
    expectTypeOf(app.publishMany).toBeCallableWith([flagged, Deposited(pay.data)], { stream: 's' });
    // @ts-expect-error options with the stream are required
    app.publish(flagged);
    // @ts-expect-error `stream` is required
    app.publish(flagged, { tenant: 't-1' });
    // @ts-expect-error a command is not an event
    app.publish(open, { stream: 'account-a-1' });
  });

  test('an event handler gets the recorded event of its definition', () => {
    whizbang().on(Deposited, (e) => {
      expectTypeOf(e).toEqualTypeOf<RecordedEvent<MessageOf<typeof Deposited>>>();
      expectTypeOf(e.data.amount).toEqualTypeOf<number>();
    });
  });
});
