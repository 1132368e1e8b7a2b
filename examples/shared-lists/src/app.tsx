/**
 * The page: the sync panel, the lists this person owns or that are shared with them, and the chosen
 * list's items; its owner shares it with others and unshares it.
 */
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
  ShareList,
  UnshareList,
} from './domain.ts';
import { SyncPanel } from './status.tsx';

type Props = { readonly app: ListsApp; readonly user: string; readonly connection: Connection };
type List = {
  readonly id: string;
  readonly name: string;
  readonly owner: string;
  readonly members: readonly string[];
};

export function App({ app, user, connection }: Props) {
  const { data: all = [] } = useLiveQuery(app.lens(lists), { orderBy: { at: 'asc' } });
  const [selected, select] = useState<string | undefined>(undefined);
  const { data: list } = useModel(app.lens(lists), selected);
  const { send, error } = useCommand(app);
  const [name, setName] = useState('');

  const create = async (e: FormEvent) => {
    e.preventDefault();
    const listId = crypto.randomUUID();
    if (await send(CreateList({ listId, name, owner: user }))) {
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
      {list ? <Items app={app} user={user} list={list} /> : null}
    </main>
  );
}

function Items({
  app,
  user,
  list,
}: {
  readonly app: ListsApp;
  readonly user: string;
  readonly list: List;
}) {
  const { data: shown = [] } = useLiveQuery(app.lens(items), {
    where: { listId: list.id },
    orderBy: { at: 'asc' },
  });
  const { send } = useCommand(app);
  const [text, setText] = useState('');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await send(AddItem({ listId: list.id, itemId: crypto.randomUUID(), text }))) setText('');
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
                  send(CheckItem({ listId: list.id, itemId: item.id, done: !item.done }))
                }
              />
              <span>{item.text}</span>
            </label>
            <button
              type="button"
              aria-label={`Remove ${item.text}`}
              onClick={() => send(RemoveItem({ listId: list.id, itemId: item.id }))}
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
      {list.owner === user ? <Sharing app={app} list={list} /> : null}
    </section>
  );
}

/** The owner's part: who the list is shared with, a button to unshare each, a form to share. */
function Sharing({ app, list }: { readonly app: ListsApp; readonly list: List }) {
  const { send } = useCommand(app);
  const [who, setWho] = useState('');
  const share = async (e: FormEvent) => {
    e.preventDefault();
    if (await send(ShareList({ listId: list.id, with: who.trim() }))) setWho('');
  };
  return (
    <div id="sharing">
      <ul id="members" aria-label="Shared with">
        {list.members.map((m) => (
          <li key={m}>
            {m}{' '}
            <button type="button" onClick={() => send(UnshareList({ listId: list.id, with: m }))}>
              Unshare {m}
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={share}>
        <input aria-label="Share with" value={who} onChange={(e) => setWho(e.target.value)} />
        <button type="submit">Share</button>
      </form>
    </div>
  );
}
