// @runtimes node deno bun
import { readFileSync } from 'node:fs';
import { base, en, Faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import {
  AccountOpened,
  accounts,
  MoneyDeposited,
  OpenAccount,
  Withdraw,
  withdraw,
} from '../../examples/bank/domain.ts';
import { builders, scenario } from '../../js/testing/mod.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A faker of its own per test: seeding the shared one would couple tests run in one process. */
const newFaker = (): Faker => new Faker({ locale: [en, base] });

/** The same recipe every time: an opened account with made-up owner and id. */
const anOpened = (f: Faker) => ({
  accountId: f.string.alphanumeric({ length: 6, casing: 'lower' }),
  owner: f.person.fullName(),
  overdraftLimit: f.number.int({ min: 0, max: 500 }),
});

/** Builds a little of everything with one builders. */
function sample(seed: number) {
  const b = builders(newFaker(), { seed });
  const opened = b.build(AccountOpened, anOpened);
  return {
    opened,
    command: b.build(OpenAccount, (f) => ({
      accountId: f.string.uuid(),
      owner: f.person.firstName(),
    })),
    envelope: b.anEnvelope(opened),
    recorded: b.aRecordedEvent(opened),
    uuid: b.uuid(),
  };
}

describe('builders', () => {
  it('build the same data from the same seed', () => {
    expect(sample(42)).toEqual(sample(42));
    expect(sample(42)).not.toEqual(sample(43));
  });

  it('build messages from a recipe, with overrides over it', () => {
    const b = builders(newFaker(), { seed: 1 });
    const opened = b.build(AccountOpened, anOpened, { owner: 'Ada' });
    expect(opened.kind).toBe('event');
    expect(opened.type).toBe('AccountOpened');
    expect(opened.data.owner).toBe('Ada');
    expect(opened.data.accountId).toMatch(/^[a-z0-9]{6}$/);
    const anAccount = b.factory(AccountOpened, anOpened);
    const [x, y] = [anAccount(), anAccount({ overdraftLimit: 0 })];
    expect(x.data.accountId).not.toBe(y.data.accountId);
    expect(y.data.overdraftLimit).toBe(0);
  });

  it('make envelopes: UUIDv7 ids on a clock that starts where told, and causation', () => {
    const b = builders(newFaker(), { seed: 2, now: '2024-06-01T12:00:00Z' as never });
    const command = OpenAccount({ accountId: 'a', owner: 'Ada' });
    const first = b.anEnvelope(command);
    expect(first.message).toBe(command);
    expect(first.messageId).toMatch(UUID_V7);
    expect(first.correlationId).toBe(first.messageId);
    expect(first.causationId).toBe(first.messageId);
    expect(first.tenant).toBe('default');
    expect(first.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(first.hops).toEqual([]);
    expect(first.timestamp).toBeGreaterThan(Date.parse('2024-06-01T12:00:00Z'));
    expect(first.timestamp).toBeLessThan(Date.parse('2024-06-01T12:00:01Z'));
    expect(first.messageId.replaceAll('-', '').slice(0, 12)).toBe(
      first.timestamp.toString(16).padStart(12, '0'),
    );
    const next = b.anEnvelope(AccountOpened({ accountId: 'a', owner: 'Ada', overdraftLimit: 0 }), {
      causedBy: first,
      tenant: 'acme',
      streamId: 'account-a',
    });
    expect(next.timestamp).toBeGreaterThan(first.timestamp);
    expect(next).toMatchObject({
      correlationId: first.correlationId,
      causationId: first.messageId,
      traceId: first.traceId,
      tenant: 'acme',
      streamId: 'account-a',
    });
  });

  it('make recorded events: positions across streams, versions per stream', () => {
    const b = builders(newFaker(), { seed: 3, streamId: 'account-a' });
    const opened = AccountOpened({ accountId: 'a', owner: 'Ada', overdraftLimit: 0 });
    const deposited = MoneyDeposited({ accountId: 'a', amount: 5 });
    const e1 = b.aRecordedEvent(opened);
    const e2 = b.aRecordedEvent(deposited);
    const other = b.aRecordedEvent(opened, { streamId: 'account-b' });
    const e3 = b.aRecordedEvent(deposited, { causedBy: e2 });
    expect([e1, e2, other, e3].map((e) => [e.streamId, e.version, e.position])).toEqual([
      ['account-a', 1, 1],
      ['account-a', 2, 2],
      ['account-b', 1, 3],
      ['account-a', 3, 4],
    ]);
    expect(e1).toMatchObject({ kind: 'event', type: 'AccountOpened', data: opened.data });
    expect(e3.correlationId).toBe(e2.correlationId);
    expect(e3.causationId).toBe(e2.messageId);
    const jumped = b.aRecordedEvent(deposited, { position: 100, version: 10, tenant: 'acme' });
    expect([jumped.position, jumped.version, jumped.tenant]).toEqual([100, 10, 'acme']);
    expect(b.aRecordedEvent(deposited).position).toBe(101);
    // what a perspective applies
    const row = accounts.apply(accounts.apply(accounts.initial(), e1)!, e2);
    expect(row).toEqual({ accountId: 'a', owner: 'Ada', balance: 5, movements: 1 });
  });

  it('feed scenarios', async () => {
    const b = builders(newFaker(), { seed: 4 });
    const opened = b.build(AccountOpened, anOpened, { overdraftLimit: 0 });
    const { accountId } = opened.data;
    await scenario(withdraw)
      .given(opened)
      .when(Withdraw({ accountId, amount: 1 }))
      .thenThrows(`account ${accountId} would go below its overdraft limit of 0`);
  });

  it('over faker instances of their own, seeded the same way', () => {
    const [one, two] = [builders(newFaker(), { seed: 5 }), builders(newFaker(), { seed: 5 })];
    const recipe = (f: Faker) => ({ accountId: f.string.uuid(), owner: f.person.fullName() });
    expect(one.build(OpenAccount, recipe)).toEqual(two.build(OpenAccount, recipe));
    expect(one.faker).not.toBe(two.faker);
  });

  it('refuse what is not a faker', () => {
    expect(() => builders({} as never)).toThrow('builders() takes a faker instance');
  });
});

describe('whizbang/testing without faker', () => {
  // Every module js/testing/mod.ts loads, following relative imports.
  function moduleGraph(entry: URL): Map<string, string> {
    const sources = new Map<string, string>();
    const visit = (url: URL): void => {
      if (sources.has(url.href)) return;
      // code only: the doc comments' examples import faker as a user would
      const source = readFileSync(url, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      sources.set(url.href, source);
      for (const m of source.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'(\.[^']+)'/gm)) {
        visit(new URL(m[1]!, url));
      }
    };
    visit(entry);
    return sources;
  }

  it('imports nothing of @faker-js/faker, not even its types', () => {
    const graph = moduleGraph(new URL('../../js/testing/mod.ts', import.meta.url));
    expect(graph.size).toBeGreaterThan(5);
    const uses = [...graph.values()].flatMap((source) =>
      [...source.matchAll(/^.*'@faker-js\/faker'.*$/gm)].map((m) => m[0].trim()),
    );
    expect(uses).toEqual([]);
  });
});
