/** The page: the sync panel, the person's lists, and the chosen list's items. */
import { type FormEvent, useState } from 'react';
import { useCommand, useLiveQuery, useModel } from 'whizbang/react';
import type { Connection } from './connection.ts';
import {
  AddItem,
  CheckItem,
  CreateList,
  items,
  type ListsApp,
  lists,
  RemoveItem,
} from './domain.ts';
import { SyncPanel } from './status.tsx';

type Props = { readonly app: ListsApp; readonly user: string; readonly connection: Connection };

export function App({ app, user, connection }: Props) {
  const tenant = user; // each person's lists live in a part of the log of their own
  const { data: all = [] } = useLiveQuery(app.lens(lists), { tenant, orderBy: { at: 'asc' } });
  const [selected, select] = useState<string | undefined>(undefined);
  const { data: list } = useModel(app.lens(lists), selected, { tenant });
  const { send, error } = useCommand(app);
  const [name, setName] = useState('');

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const listId = crypto.randomUUID();
    if (await send(CreateList({ listId, name, owner: user }), { tenant })) {
      setName('');
      select(listId);
    }
  };

  return (
    <main>
      <header>
        <h1>Shared lists</h1>
        <p id="whoami">Signed in as {user}</p>
        <SyncPanel connection={connection} />
      </header>
      {error ? <p role="alert">{String((error as Error).message ?? error)}</p> : null}
      <nav>
        <ul id="lists" aria-label="Lists">
          {all.map((l) => (
            <li key={l.id}>
              <button type="button" onClick={() => select(l.id)}>
                {l.name}
              </button>
              {l.owner === user ? null : <small> shared by {l.owner}</small>}
            </li>
          ))}
        </ul>
        <form onSubmit={create}>
          <input aria-label="New list" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit">Create</button>
        </form>
      </nav>
      {list ? <Items app={app} tenant={tenant} list={list} /> : null}
    </main>
  );
}

function Items({
  app,
  tenant,
  list,
}: {
  readonly app: ListsApp;
  readonly tenant: string;
  readonly list: { readonly id: string; readonly name: string };
}) {
  const { data: shown = [] } = useLiveQuery(app.lens(items), {
    tenant,
    where: { listId: list.id },
    orderBy: { at: 'asc' },
  });
  const { send } = useCommand(app);
  const [text, setText] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const command = AddItem({ listId: list.id, itemId: crypto.randomUUID(), text });
    if (await send(command, { tenant })) setText('');
  };
  return (
    <section id="list" aria-label={list.name}>
      <h2>{list.name}</h2>
      <ul id="items">
        {shown.map((item) => (
          <li key={item.id}>
            <label>
              <input
                type="checkbox"
                aria-label={`Done: ${item.text}`}
                checked={item.done}
                onChange={() =>
                  send(CheckItem({ listId: list.id, itemId: item.id, done: !item.done }), {
                    tenant,
                  })
                }
              />
              <span>{item.text}</span>
            </label>
            <button
              type="button"
              aria-label={`Remove ${item.text}`}
              onClick={() => send(RemoveItem({ listId: list.id, itemId: item.id }), { tenant })}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={add}>
        <input aria-label="New item" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit">Add</button>
      </form>
    </section>
  );
}
