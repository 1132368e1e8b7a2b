/** A todo list: add, finish and remove items; one stream per list, a row per item and per list. */
import * as z from 'zod/mini';
import type { MessageOf } from '../../../js/mod.ts';
import {
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  defineState,
  payload,
  whizbang,
} from '../../../js/mod.ts';
import type { Domain } from './types.ts';

const text = (what: string) => z.string().check(z.minLength(1, `Give the ${what}.`));
const item = { listId: text('list id'), todoId: text('item id') };

export const AddTodo = defineCommand(
  'AddTodo',
  z.object({
    ...item,
    title: z.string().check(z.minLength(3, 'A title needs at least 3 characters.')),
  }),
);
export const FinishTodo = defineCommand('FinishTodo', z.object(item));
export const RemoveTodo = defineCommand('RemoveTodo', z.object(item));

export const TodoAdded = defineEvent(
  'TodoAdded',
  payload<{ listId: string; todoId: string; title: string }>(),
);
export const TodoFinished = defineEvent(
  'TodoFinished',
  payload<{ listId: string; todoId: string }>(),
);
export const TodoRemoved = defineEvent(
  'TodoRemoved',
  payload<{ listId: string; todoId: string }>(),
);

type TodoEvent = MessageOf<typeof TodoAdded | typeof TodoFinished | typeof TodoRemoved>;

/** A list's state: its items and whether each is done. */
const ListState = defineState<Record<string, boolean>, TodoEvent>({
  initial: () => ({}),
  evolve: (list, e) => {
    if (e.type === 'TodoRemoved') {
      const { [e.data.todoId]: _, ...rest } = list;
      return rest;
    }
    return { ...list, [e.data.todoId]: e.type === 'TodoFinished' };
  },
});

const stream = (c: { data: { listId: string } }): string => `list-${c.data.listId}`;
const refuse = (why: string): never => {
  throw Object.assign(new Error(why), { name: 'TodoError' });
};

const addTodo = defineReceptor({
  command: AddTodo,
  stream,
  state: ListState,
  decide: (c, list) =>
    c.data.todoId in list
      ? refuse(`Item ${c.data.todoId} is already on the list.`)
      : TodoAdded(c.data),
});
const finishTodo = defineReceptor({
  command: FinishTodo,
  stream,
  state: ListState,
  decide: (c, list) => {
    const done = list[c.data.todoId];
    if (done === undefined) refuse(`There is no item ${c.data.todoId} on list ${c.data.listId}.`);
    if (done) refuse(`Item ${c.data.todoId} is already done.`);
    return TodoFinished(c.data);
  },
});
const removeTodo = defineReceptor({
  command: RemoveTodo,
  stream,
  state: ListState,
  decide: (c, list) =>
    c.data.todoId in list ? TodoRemoved(c.data) : refuse(`There is no item ${c.data.todoId}.`),
});

/** One row per item; a removed item's row is deleted. */
export const todos = definePerspective({
  name: 'todos',
  events: [TodoAdded, TodoFinished, TodoRemoved],
  key: (e) => `${e.data.listId}/${e.data.todoId}`,
  initial: () => ({ listId: '', todoId: '', title: '', done: false }),
  apply: (row, e) => {
    switch (e.type) {
      case 'TodoAdded':
        return { ...row, ...e.data };
      case 'TodoFinished':
        return { ...row, done: true };
      case 'TodoRemoved':
        return null;
    }
  },
});

/** One row per list: how many items are open and done. */
export const lists = definePerspective({
  name: 'lists',
  events: [TodoAdded, TodoFinished, TodoRemoved],
  key: (e) => e.data.listId,
  initial: () => ({ listId: '', open: 0, done: 0 }),
  apply: (row, e) => {
    switch (e.type) {
      case 'TodoAdded':
        return { ...row, listId: e.data.listId, open: row.open + 1 };
      case 'TodoFinished':
        return { ...row, open: row.open - 1, done: row.done + 1 };
      case 'TodoRemoved':
        return row; // the item's own row knows whether it was done; the counts stay as they were
    }
  },
});

export const todo: Domain = {
  id: 'todo',
  title: 'Todo list',
  summary: 'Lists of items to add, finish and remove; one stream per list, its state decides.',
  commands: [
    {
      definition: AddTodo,
      schema: AddTodo.schema!,
      summary: 'Adds an item to a list.',
      example: (f, ids) => ({
        listId: ids[0] ?? 'home',
        todoId: f.string.alphanumeric(4).toLowerCase(),
        title: `${f.hacker.verb()} the ${f.hacker.noun()}`,
      }),
    },
    {
      definition: FinishTodo,
      schema: FinishTodo.schema!,
      summary: 'Marks an item done.',
      example: (_f, ids) => ({ listId: ids[0] ?? 'home', todoId: '' }),
    },
    {
      definition: RemoveTodo,
      schema: RemoveTodo.schema!,
      summary: 'Takes an item off its list.',
      example: (_f, ids) => ({ listId: ids[0] ?? 'home', todoId: '' }),
    },
  ],
  events: [TodoAdded, TodoFinished, TodoRemoved],
  receptors: [
    { command: 'AddTodo', stream: 'list-{listId}', emits: ['TodoAdded'] },
    { command: 'FinishTodo', stream: 'list-{listId}', emits: ['TodoFinished'] },
    { command: 'RemoveTodo', stream: 'list-{listId}', emits: ['TodoRemoved'] },
  ],
  reactions: [],
  lenses: [
    {
      label: 'todos',
      perspective: todos,
      columns: ['listId', 'todoId', 'title', 'done'],
      idOf: (m) => `${m.listId}/${m.todoId}`,
    },
    {
      label: 'lists',
      perspective: lists,
      columns: ['listId', 'open', 'done'],
      idOf: (m) => m.listId,
    },
  ],
  ids: async (app) => (await app.lens(lists).query()).map((l) => l.listId),
  build: (options) =>
    whizbang('todo')
      .receptor(addTodo)
      .receptor(finishTodo)
      .receptor(removeTodo)
      .perspective(todos)
      .perspective(lists)
      .build(options),
};
