// @runtimes node deno bun
/**
 * A receptor's `authorize` hook: asked for every command sent with a principal (`send`, `sendMany`,
 * `localInvoke`), on the stream's state; a refusal is a `ForbiddenError` (FORBIDDEN) and nothing is
 * written; commands without a principal (the app's own, cascades) are not asked about.
 */
import { describe, expect, it } from 'vitest';
import {
  cache,
  defineCommand,
  defineEvent,
  defineReceptor,
  defineState,
  ForbiddenError,
  isWhizbangError,
  memoryDriver,
  type Principal,
  payload,
  reply,
  retry,
  whizbang,
} from '../../js/mod.ts';

const CreateList = defineCommand('CreateList', payload<{ listId: string }>());
const AddItem = defineCommand('AddItem', payload<{ listId: string; text: string }>());
const Audit = defineCommand('Audit', payload<{ note: string }>());
const Purge = defineCommand('Purge', payload<{ listId: string }>());
const ListCreated = defineEvent('ListCreated', payload<{ listId: string; owner: string }>());
const ItemAdded = defineEvent('ItemAdded', payload<{ listId: string; text: string }>());
const Audited = defineEvent('Audited', payload<{ note: string; by: string }>());

const List = defineState({
  initial: () => ({ owner: undefined as string | undefined, items: 0 }),
  evolve: (s, e) =>
    e.type === 'ListCreated'
      ? { ...s, owner: (e.data as { owner: string }).owner }
      : { ...s, items: s.items + 1 },
});

const ann: Principal = { userId: 'ann', tenant: 'acme' };
const bob: Principal = { userId: 'bob', tenant: 'acme', roles: ['auditor'] };

function lists() {
  const asked: Array<{ user: string; state: unknown; streamId: string | undefined }> = [];
  const principals: Array<string | undefined> = [];
  const app = whizbang('lists')
    .receptor(
      defineReceptor({
        command: CreateList,
        stream: (c) => `list-${c.data.listId}`,
        state: List,
        authorize: ({ state }) => state.owner === undefined || 'That list exists already.',
        decide: (c, _s, ctx) =>
          ListCreated({ listId: c.data.listId, owner: ctx.principal?.userId ?? 'app' }),
      }),
    )
    .receptor(
      defineReceptor({
        command: AddItem,
        stream: (c) => `list-${c.data.listId}`,
        state: List,
        authorize: ({ principal, state, streamId }) => {
          asked.push({ user: principal.userId, state, streamId });
          return state.owner === principal.userId || `Only the owner adds to ${streamId}.`;
        },
        decide: (c, _s, ctx) => {
          principals.push(ctx.principal?.userId);
          return [ItemAdded(c.data), Audit({ note: `added to ${c.data.listId}` })];
        },
      }),
    )
    .receptor(
      defineReceptor({
        command: Audit,
        stream: () => 'audit',
        // refuses everyone: only the app itself (a cascade) may audit
        authorize: async () => false,
        handle: (c, ctx) => Audited({ note: c.data.note, by: ctx.principal?.userId ?? 'app' }),
      }),
    )
    .receptor(
      defineReceptor({
        command: Purge,
        stream: (c) => `list-${c.data.listId}`,
        authorize: ({ principal }) => {
          if (principal.userId === 'mallory') throw new Error('hook failed');
          return principal.roles?.includes('auditor') ?? false;
        },
        handle: () => undefined,
      }),
    )
    .build({ driver: memoryDriver() });
  return { app, asked, principals };
}

const forbidden = (error: unknown): boolean =>
  error instanceof ForbiddenError && isWhizbangError(error, 'FORBIDDEN');

describe('authorize on a receptor', () => {
  it('lets the principal its hook allows through, on the stream’s state, and tells the receptor who sent it', async () => {
    const { app, asked, principals } = lists();
    const made = await app.send(CreateList({ listId: 'l1' }), { principal: ann });
    expect(made.envelope.tenant).toBe('acme'); // the principal's tenant by default
    const added = await app.send(AddItem({ listId: 'l1', text: 'milk' }), { principal: ann });
    expect(added.status).toBe('handled');
    expect(asked).toEqual([
      { user: 'ann', state: { owner: 'ann', items: 0 }, streamId: 'list-l1' },
    ]);
    expect(principals).toEqual(['ann']);
    await app.close();
  });

  it('refuses with FORBIDDEN and the hook’s reason, and writes nothing', async () => {
    const { app } = lists();
    await app.send(CreateList({ listId: 'l1' }), { principal: ann });
    const before = await app.ledger.readAll({ tenant: 'acme' });
    const error = await app
      .send(AddItem({ listId: 'l1', text: 'beer' }), { principal: bob })
      .catch((e: unknown) => e);
    expect(forbidden(error)).toBe(true);
    expect((error as ForbiddenError).userId).toBe('bob');
    expect((error as Error).message).toBe('Only the owner adds to list-l1.');
    // localInvoke and sendMany ask the same hook
    await expect(
      app.localInvoke(AddItem({ listId: 'l1', text: 'x' }), { principal: bob }),
    ).rejects.toSatisfy(forbidden);
    await expect(app.sendMany([CreateList({ listId: 'l1' })], { principal: bob })).rejects.toThrow(
      'That list exists already.',
    );
    expect(await app.ledger.readAll({ tenant: 'acme' })).toEqual(before);
    await app.close();
  });

  it('says who was refused what when the hook answers false, also from an async hook', async () => {
    const { app } = lists();
    const error = await app
      .send(Audit({ note: 'hi' }), { principal: bob })
      .catch((e: unknown) => e);
    expect(forbidden(error)).toBe(true);
    expect((error as Error).message).toMatch(/bob may not send "Audit"/);
    await expect(app.send(Purge({ listId: 'l1' }), { principal: ann })).rejects.toSatisfy(
      forbidden,
    );
    expect((await app.send(Purge({ listId: 'l1' }), { principal: bob })).status).toBe('handled');
    await app.close();
  });

  it('asks nothing for a command without a principal, nor for what a receptor sends in turn', async () => {
    const { app, asked } = lists();
    await app.send(CreateList({ listId: 'l1' }), { tenant: 'acme' });
    // the app's own command: no principal, no hook
    await app.send(AddItem({ listId: 'l1', text: 'tea' }), { tenant: 'acme' });
    expect(asked).toEqual([]);
    await app.send(Audit({ note: 'by the app' }), { tenant: 'acme' });
    const audits = await app.ledger.readStream('audit', { tenant: 'acme' });
    // AddItem cascaded an Audit the hook would refuse a user: the cascade is the app's own
    expect(audits.map((e) => e.data)).toEqual([
      { note: 'added to l1', by: 'app' },
      { note: 'by the app', by: 'app' },
    ]);
    await app.close();
  });

  it('refuses another tenant than the principal’s before anything is decided', async () => {
    const { app } = lists();
    await expect(
      app.send(CreateList({ listId: 'l1' }), { principal: ann, tenant: 'globex' }),
    ).rejects.toSatisfy(forbidden);
    expect(await app.ledger.readAll({ tenant: 'globex' })).toEqual([]);
    expect(await app.ledger.readAll({ tenant: 'acme' })).toEqual([]);
    await app.close();
  });

  it('passes a hook’s own error through, and a retry policy does not retry a refusal', async () => {
    let runs = 0;
    const Ping = defineCommand('Ping', payload<{ n: number }>());
    const app = whizbang('ping')
      .receptor(
        defineReceptor({
          command: Ping,
          authorize: () => {
            runs++;
            return false;
          },
          handle: () => undefined,
        }),
      )
      .policy(retry({ maxAttempts: 3, initialDelayMs: 1 }))
      .build({ driver: memoryDriver() });
    await expect(app.send(Ping({ n: 1 }), { principal: ann })).rejects.toSatisfy(forbidden);
    expect(runs).toBe(1);
    await app.close();
    const { app: other } = lists();
    await expect(
      other.send(Purge({ listId: 'l' }), { principal: { userId: 'mallory', tenant: 'acme' } }),
    ).rejects.toThrow('hook failed');
    await other.close();
  });

  it('never answers a principal from a cache: each is asked about', async () => {
    const Read = defineCommand('Read', payload<{ id: string }>());
    const app = whizbang('read')
      .receptor(
        defineReceptor({
          command: Read,
          authorize: ({ principal }) => principal.userId === 'ann',
          handle: (c) => reply(`secret ${c.data.id}`),
        }),
      )
      .policy(cache({ ttlMs: 60_000 }))
      .build({ driver: memoryDriver() });
    expect(await app.localInvoke(Read({ id: '1' }), { principal: ann })).toBe('secret 1');
    expect(await app.localInvoke(Read({ id: '1' }), { tenant: 'acme' })).toBe('secret 1');
    await expect(app.localInvoke(Read({ id: '1' }), { principal: bob })).rejects.toSatisfy(
      forbidden,
    );
    await app.close();
  });

  it('checks the principal and the hook', async () => {
    const { app } = lists();
    for (const principal of [{ userId: '', tenant: 'a' }, { tenant: 'a' }, null]) {
      await expect(
        app.send(CreateList({ listId: 'l' }), { principal: principal as never }),
      ).rejects.toSatisfy((e) => isWhizbangError(e, 'INVALID_ARGUMENT'));
    }
    expect(() =>
      defineReceptor({ command: Audit, authorize: 'yes' as never, handle: () => undefined }),
    ).toThrow(/authorize/);
    await app.close();
  });
});
