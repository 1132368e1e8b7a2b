/** The page: a form that sends AddTodo, the live list, the open count and the selected to-do. */
import { type FormEvent, useState } from 'react';
import { useCommand, useLiveQuery, useModel } from 'whizbang/react';
import { AddTodo, type TodoApp, ToggleTodo, todos } from './domain.ts';

export function App({ app }: { readonly app: TodoApp }) {
  const lens = app.lens(todos);
  const { data: all = [], loading } = useLiveQuery(lens, { orderBy: { at: 'asc' } });
  const { data: open = [] } = useLiveQuery(lens, { where: { done: false } });
  const [selected, select] = useState<string | undefined>(undefined);
  const { data: chosen } = useModel(lens, selected);
  const { send, pending, error } = useCommand(app);
  const [title, setTitle] = useState('');

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (await send(AddTodo({ id: crypto.randomUUID(), title }))) setTitle('');
  };

  return (
    <main>
      <h1>To-dos</h1>
      <form onSubmit={add}>
        <input aria-label="Title" value={title} onChange={(e) => setTitle(e.target.value)} />
        <button type="submit" disabled={pending}>
          Add
        </button>
      </form>
      {error ? <p role="alert">{String((error as Error).message ?? error)}</p> : null}
      <p id="open">{loading ? 'Loading…' : `${open.length} open`}</p>
      <ul id="todos">
        {all.map((todo) => (
          <li key={todo.id}>
            <input
              type="checkbox"
              aria-label={`Done: ${todo.title}`}
              checked={todo.done}
              onChange={() => send(ToggleTodo({ id: todo.id, done: !todo.done }))}
            />
            <button type="button" onClick={() => select(todo.id)}>
              {todo.title}
            </button>
          </li>
        ))}
      </ul>
      {chosen ? (
        <p id="chosen">
          {chosen.title}: {chosen.done ? 'done' : 'open'}
        </p>
      ) : null}
    </main>
  );
}
