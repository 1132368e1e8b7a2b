/**
 * The UI bindings' inference: a hook's `data` is the perspective's model (or the models), the
 * stores carry the same types to Svelte, Vue and Solid, and `useCommand(app).send` takes exactly
 * the commands the app handles.
 */
import { describe, expectTypeOf, test } from 'vitest';
import {
  commandStore,
  type DeliveryReceipt,
  defineCommand,
  defineEvent,
  definePerspective,
  defineReceptor,
  type LiveState,
  liveModel,
  liveQuery,
  payload,
  type Readable,
  whizbang,
} from '../../js/mod.ts';
import { useCommand, useLiveQuery, useModel, useReadable } from '../../js/react/mod.ts';
import { timeTravel } from '../../js/timetravel/mod.ts';

const AddTodo = defineCommand('AddTodo', payload<{ id: string; title: string }>());
const Unhandled = defineCommand('Unhandled', payload<{ note: string }>());
const TodoAdded = defineEvent('TodoAdded', payload<{ id: string; title: string }>());
const todos = definePerspective({
  name: 'todos',
  events: [TodoAdded],
  key: (e) => e.data.id,
  initial: () => ({ id: '', title: '', done: false }),
  apply: (todo, e) => ({ ...todo, ...e.data }),
});
const addTodo = defineReceptor({
  command: AddTodo,
  stream: (c) => `todo-${c.data.id}`,
  handle: (c) => TodoAdded(c.data),
});
const app = whizbang('todo').receptor(addTodo).perspective(todos).build();
type Todo = { id: string; title: string; done: boolean };

describe('react hooks', () => {
  test('useModel and useLiveQuery give the lens model, typed', () => {
    const lens = app.lens(todos);
    expectTypeOf(useModel(lens, 'todo-1')).toEqualTypeOf<LiveState<Todo | undefined>>();
    expectTypeOf(useModel(lens, 'todo-1').data).toEqualTypeOf<Todo | undefined>();
    expectTypeOf(useLiveQuery(lens, { where: { done: false } }).data).toEqualTypeOf<
      Todo[] | undefined
    >();
    // a selection not made yet watches nothing
    expectTypeOf(useModel).toBeCallableWith(lens, undefined);
  });

  test('useCommand sends the app’s commands only, and resolves with a receipt or undefined', () => {
    const { send, pending, error } = useCommand(app);
    expectTypeOf(pending).toEqualTypeOf<boolean>();
    expectTypeOf(error).toEqualTypeOf<unknown>();
    expectTypeOf(send(AddTodo({ id: '1', title: 'a' }))).toEqualTypeOf<
      Promise<DeliveryReceipt | undefined>
    >();
    // @ts-expect-error no receptor handles Unhandled
    send(Unhandled({ note: 'x' }));
  });

  test('a time traveler’s lens fits the hooks as an app’s does', () => {
    const travel = timeTravel({ ledger: app.ledger, perspectives: [todos] });
    expectTypeOf(useLiveQuery(travel.lens(todos)).data).toEqualTypeOf<Todo[] | undefined>();
  });
});

describe('framework-neutral stores', () => {
  test('liveModel, liveQuery and commandStore are Readable stores of the same types', () => {
    const lens = app.lens(todos);
    expectTypeOf(liveModel(lens, 'todo-1')).toEqualTypeOf<Readable<LiveState<Todo | undefined>>>();
    expectTypeOf(liveQuery(lens, {})).toEqualTypeOf<Readable<LiveState<Todo[]>>>();
    expectTypeOf(useReadable(liveQuery(lens)).data).toEqualTypeOf<Todo[] | undefined>();
    // Svelte's contract: subscribe returns the unsubscribe function
    expectTypeOf(liveQuery(lens).subscribe(() => {})).toEqualTypeOf<() => void>();
    const sends = commandStore(app);
    // @ts-expect-error no receptor handles Unhandled
    sends.send(Unhandled({ note: 'x' }));
  });
});
