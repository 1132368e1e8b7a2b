/**
 * Definitions' inference: message data from `payload<D>()` or a Standard Schema (zod, valibot,
 * arktype), literal kinds and type names, and the command, state and event types that
 * `defineReceptor` and `definePerspective` hand to their callbacks.
 */
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import {
  type CommandDefinition,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  type Event,
  type EventDefinition,
  type Message,
  type MessageOf,
  type Perspective,
  payload,
  type Receptor,
  type ReceptorContext,
  type RecordedEvent,
  whizbang,
} from '../../js/mod.ts';

type Transfer = { from: string; to: string; amount: number };

describe('defineCommand and defineEvent', () => {
  test('payload<D>() types the data', () => {
    const Move = defineCommand('Move', payload<Transfer>());
    expectTypeOf(Move).toEqualTypeOf<CommandDefinition<'Move', Transfer>>();
    expectTypeOf(Move).parameter(0).toEqualTypeOf<Transfer>();
    expectTypeOf(Move({ from: 'a', to: 'b', amount: 1 }).data).toEqualTypeOf<Transfer>();
    // @ts-expect-error `amount` is missing
    Move({ from: 'a', to: 'b' });
  });

  test('a message and its definition carry the literal kind and type name', () => {
    const Move = defineCommand('Move', payload<Transfer>());
    const Moved = defineEvent('Moved', payload<Transfer>());
    expectTypeOf(Move.kind).toEqualTypeOf<'command'>();
    expectTypeOf(Move.type).toEqualTypeOf<'Move'>();
    expectTypeOf(Moved.kind).toEqualTypeOf<'event'>();
    const moved = Moved({ from: 'a', to: 'b', amount: 1 });
    expectTypeOf(moved).toEqualTypeOf<Message<'event', 'Moved', Transfer>>();
    expectTypeOf(moved.kind).toEqualTypeOf<'event'>();
    expectTypeOf(moved.type).toEqualTypeOf<'Moved'>();
    expectTypeOf(moved).toExtend<Event>();
  });

  test('is() narrows any message to the definition’s', () => {
    const Move = defineCommand('Move', payload<Transfer>());
    const m = {} as Message;
    if (Move.is(m)) expectTypeOf(m).toEqualTypeOf<Message<'command', 'Move', Transfer>>();
  });

  test('without a shape the data is undefined and may be left out', () => {
    const Ping = defineCommand('Ping');
    const Pinged = defineEvent('Pinged');
    expectTypeOf(Ping).parameter(0).toEqualTypeOf<undefined>();
    expectTypeOf(Ping(undefined)).toEqualTypeOf<Message<'command', 'Ping', undefined>>();
    expectTypeOf(Pinged(undefined).data).toEqualTypeOf<undefined>();
    // A command with no data is created without an argument.
    expectTypeOf(Ping()).toEqualTypeOf<Message<'command', 'Ping', undefined>>();
    // @ts-expect-error no data may be given
    Ping({ any: 'thing' });
  });

  test('something that is neither a schema nor payload<D>() is refused', () => {
    // @ts-expect-error a plain object is not a shape
    defineCommand('Bad', { amount: 'number' });
  });
});

describe('Standard Schemas type the data', () => {
  test('zod: the output type', () => {
    const Move = defineCommand(
      'Move',
      z.object({ from: z.string(), to: z.string(), amount: z.number() }),
    );
    expectTypeOf(Move({ from: 'a', to: 'b', amount: 1 }).data).toEqualTypeOf<Transfer>();
    // @ts-expect-error `amount` is a number
    Move({ from: 'a', to: 'b', amount: '1' });
  });

  test('valibot: the output type', () => {
    const Move = defineCommand(
      'Move',
      v.object({ from: v.string(), to: v.string(), amount: v.number() }),
    );
    expectTypeOf(Move({ from: 'a', to: 'b', amount: 1 }).data).toEqualTypeOf<Transfer>();
  });

  test('arktype: the output type', () => {
    const Move = defineCommand(
      'Move',
      type({ from: 'string', to: 'string', amount: 'number > 0' }),
    );
    expectTypeOf(Move({ from: 'a', to: 'b', amount: 1 }).data).toEqualTypeOf<Transfer>();
  });

  test('events take schemas too', () => {
    const Moved = defineEvent('Moved', z.object({ amount: z.number() }));
    expectTypeOf(Moved).toEqualTypeOf<EventDefinition<'Moved', { amount: number }>>();
  });

  // A schema that transforms has an input (what the caller writes) and an output (what the
  // receptor sees after validation): the definition takes the input, the receptor gets the output.
  test('zod transform and default: created from the input, received as the output', () => {
    const Pay = defineCommand(
      'Pay',
      z.object({ amount: z.string().transform(Number), currency: z.string().default('EUR') }),
    );
    expectTypeOf(Pay)
      .parameter(0)
      .toEqualTypeOf<{ amount: string; currency?: string | undefined }>();
    defineReceptor({
      command: Pay,
      handle: (c) => expectTypeOf(c.data).toEqualTypeOf<{ amount: number; currency: string }>(),
    });
  });

  test('valibot transform: created from the input, received as the output', () => {
    const Pay = defineCommand('Pay', v.object({ amount: v.pipe(v.string(), v.transform(Number)) }));
    expectTypeOf(Pay).parameter(0).toEqualTypeOf<{ amount: string }>();
    defineReceptor({
      command: Pay,
      handle: (c) => expectTypeOf(c.data).toEqualTypeOf<{ amount: number }>(),
    });
  });

  test('arktype morph: created from the input, received as the output', () => {
    const Pay = defineCommand('Pay', type({ amount: 'string.numeric.parse' }));
    expectTypeOf(Pay).parameter(0).toEqualTypeOf<{ amount: string }>();
    defineReceptor({
      command: Pay,
      handle: (c) => expectTypeOf(c.data).toEqualTypeOf<{ amount: number }>(),
    });
  });
});

const Deposit = defineCommand('Deposit', payload<{ accountId: string; amount: number }>());
const Opened = defineEvent('Opened', payload<{ accountId: string; owner: string }>());
const Deposited = defineEvent('Deposited', payload<{ accountId: string; amount: number }>());
type DepositCommand = Message<'command', 'Deposit', { accountId: string; amount: number }>;
type AccountState = { open: boolean; balance: number };

describe('defineReceptor', () => {
  test('a stateless receptor gets the command in stream and handle', () => {
    const r = defineReceptor({
      command: Deposit,
      stream: (c) => {
        expectTypeOf(c).toEqualTypeOf<DepositCommand>();
        return `account-${c.data.accountId}`;
      },
      handle: (c, context) => {
        expectTypeOf(c).toEqualTypeOf<DepositCommand>();
        expectTypeOf(context).toEqualTypeOf<ReceptorContext>();
        return c.data.amount;
      },
    });
    expectTypeOf(r).toEqualTypeOf<Receptor<DepositCommand, number>>();
  });

  test('a stateful receptor gets the command and the state of its defineState', () => {
    const Account = defineState({
      initial: (): AccountState => ({ open: false, balance: 0 }),
      evolve: (account, e) => {
        expectTypeOf(account).toEqualTypeOf<AccountState>();
        expectTypeOf(e).toEqualTypeOf<RecordedEvent>();
        return account;
      },
    });
    const r = defineReceptor({
      command: Deposit,
      stream: (c) => {
        expectTypeOf(c).toEqualTypeOf<DepositCommand>();
        return `account-${c.data.accountId}`;
      },
      state: Account,
      decide: (c, account, context) => {
        expectTypeOf(c).toEqualTypeOf<DepositCommand>();
        expectTypeOf(account).toEqualTypeOf<AccountState>();
        expectTypeOf(context.version).toEqualTypeOf<number>();
        return Deposited(c.data);
      },
    });
    expectTypeOf(r).toEqualTypeOf<Receptor<DepositCommand, MessageOf<typeof Deposited>>>();
  });

  test('defineState given its events narrows them in evolve', () => {
    defineState<AccountState, MessageOf<typeof Opened> | MessageOf<typeof Deposited>>({
      initial: () => ({ open: false, balance: 0 }),
      evolve: (account, e) =>
        e.type === 'Deposited' ? { ...account, balance: account.balance + e.data.amount } : account,
    });
  });

  test('mistakes do not compile', () => {
    defineReceptor({
      command: Deposit,
      // @ts-expect-error the data has no `owner`
      handle: (c) => c.data.owner,
    });
    // @ts-expect-error a stateful receptor needs `stream`
    defineReceptor({
      command: Deposit,
      state: defineState({ initial: () => 0, evolve: (n) => n + 1 }),
      decide: () => undefined,
    });
    // @ts-expect-error an event definition is not a command
    defineReceptor({ command: Opened, handle: () => undefined });
  });
});

describe('definePerspective', () => {
  const balances = definePerspective({
    name: 'balances',
    events: [Opened, Deposited],
    key: (e) => {
      expectTypeOf(e.type).toEqualTypeOf<'Opened' | 'Deposited'>();
      return e.data.accountId;
    },
    initial: () => ({ owner: '', balance: 0 }),
    apply: (m, e) => {
      expectTypeOf(e.type).toEqualTypeOf<'Opened' | 'Deposited'>();
      expectTypeOf(e).toEqualTypeOf<
        RecordedEvent<MessageOf<typeof Opened>> | RecordedEvent<MessageOf<typeof Deposited>>
      >();
      // @ts-expect-error only Deposited has `amount`: narrow on e.type first
      e.data.amount;
      if (e.type === 'Deposited') return { ...m, balance: m.balance + e.data.amount };
      expectTypeOf(e.data).toEqualTypeOf<{ accountId: string; owner: string }>();
      return { ...m, owner: e.data.owner };
    },
  });

  test('the model comes from initial and the events from the list', () => {
    type Model = { owner: string; balance: number };
    expectTypeOf(balances).toExtend<Perspective<Model, any>>();
    const app = whizbang().perspective(balances).build();
    expectTypeOf(app.lens(balances).get('a-1')).toEqualTypeOf<Promise<Model | undefined>>();
  });

  test('apply must return the model (or null)', () => {
    definePerspective({
      name: 'counts',
      events: [Deposited],
      initial: () => ({ n: 0 }),
      // @ts-expect-error a string is not the model
      apply: () => 'nope',
    });
    definePerspective({
      name: 'deletes',
      events: [Deposited],
      initial: () => ({ n: 0 }),
      apply: () => null,
    });
  });
});
