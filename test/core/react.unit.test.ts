/**
 * whizbang/react where there is no DOM: rendered on a server (react-dom/server), a hook reads its
 * store's value now through `useSyncExternalStore`'s server snapshot: `loading` for a live lens
 * nobody has opened, the answer for a store that has one. (In a browser, with updates, the hooks
 * are used by the React example in Chromium: test/browser/react-example.mjs.)
 */
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { accounts, createBank, OpenAccount } from '../../examples/bank/domain.ts';
import { liveQuery, memoryDriver } from '../../js/mod.ts';
import { useCommand, useLiveQuery, useModel, useReadable } from '../../js/react/mod.ts';

describe('whizbang/react on a server', () => {
  it('renders a live lens as loading, an idle send, and a model not chosen yet', async () => {
    const bank = createBank({ driver: memoryDriver() });
    function Accounts() {
      const { data, loading } = useLiveQuery(bank.lens(accounts));
      const { pending } = useCommand(bank);
      const chosen = useModel(bank.lens(accounts), undefined);
      return createElement(
        'p',
        null,
        `${loading ? 'loading' : data?.length}|${pending}|${chosen.loading}`,
      );
    }
    expect(renderToString(createElement(Accounts))).toBe('<p>loading|false|false</p>');
    await bank.close();
  });

  it('renders what an open store holds', async () => {
    const bank = createBank({ driver: memoryDriver() });
    await bank.send(OpenAccount({ accountId: 'a', owner: 'Ada' }));
    const store = liveQuery(bank.lens(accounts));
    const stop = store.subscribe(() => {});
    for (let i = 0; i < 100 && store.get().loading; i++) await new Promise((r) => setTimeout(r, 5));
    function Owners() {
      const { data = [] } = useReadable(store);
      return createElement('p', null, data.map((a) => a.owner).join(','));
    }
    expect(renderToString(createElement(Owners))).toBe('<p>Ada</p>');
    stop();
    await bank.close();
  });
});
