/** The to-do domain: add a to-do, mark it done or not; one model per to-do. */
import {
  type BuildOptions,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  payload,
  whizbang,
} from 'whizbang';

export const AddTodo = defineCommand('AddTodo', payload<{ id: string; title: string }>());
export const ToggleTodo = defineCommand('ToggleTodo', payload<{ id: string; done: boolean }>());
const TodoAdded = defineEvent('TodoAdded', payload<{ id: string; title: string; at: number }>());
const TodoToggled = defineEvent('TodoToggled', payload<{ id: string; done: boolean }>());

const addTodo = defineReceptor({
  command: AddTodo,
  stream: (c) => `todo-${c.data.id}`,
  handle: (c) => {
    const title = c.data.title.trim();
    if (title === '') throw new Error('A to-do needs a title.');
    return TodoAdded({ id: c.data.id, title, at: Date.now() });
  },
});

const toggleTodo = defineReceptor({
  command: ToggleTodo,
  stream: (c) => `todo-${c.data.id}`,
  handle: (c) => TodoToggled(c.data),
});

/** One model per to-do, keyed by its id. */
export const todos = definePerspective({
  name: 'todos',
  events: [TodoAdded, TodoToggled],
  key: (e) => e.data.id,
  initial: () => ({ id: '', title: '', done: false, at: 0 }),
  apply: (todo, e) =>
    e.type === 'TodoAdded' ? { ...todo, ...e.data } : { ...todo, done: e.data.done },
});

/** The app: its receptors and the perspective, on the driver given. */
export function todoApp(options: BuildOptions) {
  return whizbang('todo').receptor(addTodo).receptor(toggleTodo).perspective(todos).build(options);
}

/** The built app's type, for the components that take it. */
export type TodoApp = ReturnType<typeof todoApp>;
