// @runtimes node deno bun
import { type } from 'arktype';
import * as v from 'valibot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type CommandDefinition,
  ConcurrencyError,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  isConcurrencyError,
  isValidationError,
  isWhizbangError,
  payload,
  reply,
  type StandardSchemaV1,
  ValidationError,
  WhizbangError,
  whizbang,
} from '../../js/mod.ts';

type DepositData = { accountId: string; amount: number };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

async function rejected(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('message definitions', () => {
  const Deposit = defineCommand('Deposit', payload<DepositData>());
  const Deposited = defineEvent('Deposited', payload<DepositData>());

  it('carry their kind and type and create plain messages', () => {
    expect(Deposit.kind).toBe('command');
    expect(Deposit.type).toBe('Deposit');
    expect(Deposit.schema).toBeUndefined();
    expect(Deposited.kind).toBe('event');
    expect(Deposited.type).toBe('Deposited');
    const message = Deposit({ accountId: 'a-1', amount: 5 });
    expect(message).toEqual({
      kind: 'command',
      type: 'Deposit',
      data: { accountId: 'a-1', amount: 5 },
    });
    expect(JSON.parse(JSON.stringify(message))).toEqual(message);
  });

  it('without a shape carry undefined data', () => {
    const Ping = defineEvent('Ping');
    expect(Ping(undefined)).toEqual({ kind: 'event', type: 'Ping', data: undefined });
    expect(Ping.schema).toBeUndefined();
  });

  it('keep the schema they were given', () => {
    const schema = z.object({ accountId: z.string() });
    expect(defineCommand('Open', schema).schema).toBe(schema);
  });

  it('is() matches kind and type name', () => {
    const data = { accountId: 'a-1', amount: 5 };
    expect(Deposit.is(Deposit(data))).toBe(true);
    expect(Deposit.is(Deposited(data))).toBe(false);
    // A second definition of the same name and kind recognises the message too: types are names.
    expect(defineCommand('Deposit').is(Deposit(data))).toBe(true);
    // An event that shares a command's name is not that command.
    expect(defineEvent('Deposit', payload<DepositData>()).is(Deposit(data))).toBe(false);
  });

  it('reject an empty type name with INVALID_ARGUMENT', () => {
    for (const define of [() => defineCommand(''), () => defineEvent('')]) {
      const error = thrown(define);
      expect(error).toBeInstanceOf(WhizbangError);
      expect(isWhizbangError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as WhizbangError).message).toMatch(/non-empty type name/);
    }
    expect(
      isWhizbangError(
        thrown(() => defineCommand(42 as never)),
        'INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });
});

const Deposited = defineEvent('Deposited', payload<DepositData>());
const totals = definePerspective({
  name: 'totals',
  events: [Deposited],
  initial: () => ({ total: 0 }),
  apply: (m, e) => ({ total: m.total + e.data.amount }),
});

/** An app whose one receptor records the data it was given and deposits it. */
function bank(Deposit: CommandDefinition<'Deposit', DepositData>) {
  const seen: DepositData[] = [];
  const app = whizbang('bank')
    .receptor(
      defineReceptor({
        command: Deposit,
        stream: (c) => `account-${c.data.accountId}`,
        handle: (c) => {
          seen.push(c.data);
          return reply(c.data, Deposited(c.data));
        },
      }),
    )
    .perspective(totals)
    .build();
  return { app, seen };
}

// Each schema trims and upper-cases the account id, so the receptor must see the schema's output.
const vendors: ReadonlyArray<readonly [string, CommandDefinition<'Deposit', DepositData>]> = [
  [
    'zod',
    defineCommand(
      'Deposit',
      z.object({
        accountId: z.string().transform((s) => s.trim().toUpperCase()),
        amount: z.number().positive(),
      }),
    ),
  ],
  [
    'valibot',
    defineCommand(
      'Deposit',
      v.object({
        accountId: v.pipe(v.string(), v.trim(), v.toUpperCase()),
        amount: v.pipe(v.number(), v.gtValue(0)),
      }),
    ),
  ],
  [
    'arktype',
    defineCommand(
      'Deposit',
      type({
        accountId: type('string').pipe((s) => s.trim().toUpperCase()),
        amount: 'number > 0',
      }),
    ),
  ],
];

for (const [vendor, Deposit] of vendors) {
  describe(`validation with a ${vendor} schema`, () => {
    let app: ReturnType<typeof bank>['app'];
    let seen: DepositData[];

    beforeEach(() => {
      ({ app, seen } = bank(Deposit));
    });

    afterEach(async () => {
      await app.close();
    });

    it('lets valid data through as the schema output', async () => {
      const receipt = await app.send(Deposit({ accountId: ' a-1 ', amount: 5 }));
      expect(seen).toEqual([{ accountId: 'A-1', amount: 5 }]);
      expect(receipt.streamId).toBe('account-A-1');
      const [event] = await app.ledger.readStream('account-A-1');
      expect(event?.data).toEqual({ accountId: 'A-1', amount: 5 });
      expect(await app.lens(totals).get('account-A-1')).toEqual({ total: 5 });
      expect(await app.localInvoke(Deposit({ accountId: 'b-2 ', amount: 1 }))).toEqual({
        accountId: 'B-2',
        amount: 1,
      });
    });

    it('rejects invalid data with a ValidationError and writes nothing', async () => {
      await app.send(Deposit({ accountId: 'a-1', amount: 5 }));
      const head = await app.ledger.headPosition();
      const before = await app.lens(totals).query();

      const error = await rejected(app.send(Deposit({ accountId: 'a-1', amount: -5 })));
      expect(isValidationError(error)).toBe(true);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toBeInstanceOf(WhizbangError);
      const failure = error as ValidationError;
      expect(failure.name).toBe('ValidationError');
      expect(failure.code).toBe('VALIDATION_FAILED');
      expect(failure.messageType).toBe('Deposit');
      expect(failure.issues).toHaveLength(1);
      // A plain array of keys, whatever array subclass the schema library reports its path in.
      expect(failure.issues[0]?.path).toEqual(['amount']);
      expect(failure.issues[0]?.message).toMatch(/\S/);
      expect(failure.message).toContain('"Deposit"');
      expect(failure.message).toContain('amount: ');
      expect(failure.message).toContain('nothing was written');

      expect(seen).toHaveLength(1);
      expect(await app.ledger.headPosition()).toBe(head);
      expect(await app.lens(totals).query()).toEqual(before);
    });

    it('lists every issue with its path', async () => {
      const error = await rejected(app.localInvoke(Deposit({ accountId: 42 } as never)));
      expect(isValidationError(error)).toBe(true);
      const issues = (error as ValidationError).issues;
      expect(issues.map((i) => i.path).sort()).toEqual([['accountId'], ['amount']]);
      for (const issue of issues) expect(issue.message).toMatch(/\S/);
      expect(seen).toEqual([]);
      expect(await app.ledger.headPosition()).toBe(0);
      expect(await app.lens(totals).query()).toEqual([]);
    });
  });
}

describe('validation with an async Standard Schema', () => {
  // Hand-made: validates after a tick, rounds the amount, reports paths as PathSegments.
  const amountSchema: StandardSchemaV1<unknown, { amount: number }> = {
    '~standard': {
      version: 1,
      vendor: 'hand-made',
      validate: async (value) => {
        await Promise.resolve();
        const amount = (value as { amount?: unknown } | undefined)?.amount;
        return typeof amount === 'number' && amount > 0
          ? { value: { amount: Math.round(amount) } }
          : { issues: [{ message: 'must be a positive number', path: [{ key: 'amount' }] }] };
      },
    },
  };
  const Tip = defineCommand('Tip', amountSchema);
  const Tipped = defineEvent('Tipped', payload<{ amount: number }>());
  const tips = definePerspective({
    name: 'tips',
    events: [Tipped],
    initial: () => ({ total: 0 }),
    apply: (m, e) => ({ total: m.total + e.data.amount }),
  });
  let app: ReturnType<typeof build>;

  function build() {
    return whizbang()
      .receptor(
        defineReceptor({
          command: Tip,
          stream: () => 'tips',
          handle: (c) => reply(c.data.amount, Tipped(c.data)),
        }),
      )
      .perspective(tips)
      .build();
  }

  beforeEach(() => {
    app = build();
  });

  afterEach(async () => {
    await app.close();
  });

  it('lets valid data through as the schema output', async () => {
    expect(await app.localInvoke(Tip({ amount: 2.6 }))).toBe(3);
    expect(await app.lens(tips).get('tips')).toEqual({ total: 3 });
  });

  it('rejects invalid data and writes nothing', async () => {
    await app.send(Tip({ amount: 1 }));
    const error = await rejected(app.send(Tip({ amount: -1 })));
    expect(isValidationError(error)).toBe(true);
    expect((error as ValidationError).issues).toEqual([
      { message: 'must be a positive number', path: ['amount'] },
    ]);
    expect((error as ValidationError).message).toBe(
      '"Tip" is not valid: amount: must be a positive number. Fix the data to match the schema of "Tip"; nothing was written.',
    );
    expect(await app.ledger.headPosition()).toBe(1);
    expect(await app.lens(tips).get('tips')).toEqual({ total: 1 });
  });
});

describe('errors', () => {
  it('library errors are Errors, WhizbangErrors and branded', () => {
    const cause = new Error('disk full');
    const error = new WhizbangError('HANDLER_FAILED', 'It broke; retry.', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WhizbangError');
    expect(error.code).toBe('HANDLER_FAILED');
    expect(error.cause).toBe(cause);
    expect(isWhizbangError(error)).toBe(true);
    expect(isWhizbangError(error, 'HANDLER_FAILED')).toBe(true);
    expect(isWhizbangError(error, 'NO_HANDLER')).toBe(false);

    const conflict = new ConcurrencyError('account-1', 2, 3);
    expect(conflict).toBeInstanceOf(WhizbangError);
    expect(conflict.name).toBe('ConcurrencyError');
    expect([conflict.streamId, conflict.expected, conflict.actual]).toEqual(['account-1', 2, 3]);
    expect(isConcurrencyError(conflict)).toBe(true);
    expect(isValidationError(conflict)).toBe(false);

    const invalid = new ValidationError('Deposit', [{ message: 'required', path: ['a', 0] }]);
    expect(invalid).toBeInstanceOf(WhizbangError);
    expect(invalid.message).toContain('a.0: required');
  });

  it('errors thrown by the app are WhizbangErrors', async () => {
    const app = whizbang().build();
    const error = await rejected(app.send(defineCommand('Nobody')(undefined) as never));
    expect(error).toBeInstanceOf(WhizbangError);
    expect(isWhizbangError(error, 'NO_HANDLER')).toBe(true);
    await app.close();
  });

  it('the guards recognise an error from another copy of the library by its brand', () => {
    // Another copy has its own WhizbangError class; only the Symbol.for brand is shared.
    const prototype = Object.create(Error.prototype, {
      [Symbol.for('whizbang.error')]: { value: true },
    });
    const foreign = Object.assign(Object.create(prototype), {
      name: 'ValidationError',
      code: 'VALIDATION_FAILED',
      message: '"Deposit" is not valid',
      issues: [],
    });
    expect(foreign).not.toBeInstanceOf(WhizbangError);
    expect(isWhizbangError(foreign)).toBe(true);
    expect(isWhizbangError(foreign, 'VALIDATION_FAILED')).toBe(true);
    expect(isValidationError(foreign)).toBe(true);
    expect(isConcurrencyError(foreign)).toBe(false);
  });

  it('the guards refuse look-alikes without the brand', () => {
    const lookalike = Object.assign(new Error('x'), { code: 'VALIDATION_FAILED' });
    for (const value of [lookalike, { code: 'NO_HANDLER' }, null, undefined, 'error', 42]) {
      expect(isWhizbangError(value)).toBe(false);
      expect(isValidationError(value)).toBe(false);
    }
  });
});
