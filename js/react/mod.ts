/**
 * React bindings: hooks over live lenses and command sends, built on `useSyncExternalStore`
 * (React 18 or later, an optional peer dependency). Each hook reads one of the core's stores
 * (`liveModel`, `liveQuery`, `commandStore` from `whizbang`), which Svelte, Vue and Solid take
 * as they are.
 *
 * @example
 * ```tsx
 * import { useCommand, useLiveQuery } from 'whizbang/react';
 *
 * function Todos() {
 *   const { data: open = [], loading } = useLiveQuery(app.lens(todos), { where: { done: false } });
 *   const { send, pending, error } = useCommand(app);
 *   return (
 *     <>
 *       <button disabled={pending} onClick={() => send(AddTodo({ id: crypto.randomUUID(), title: 'New' }))}>
 *         Add
 *       </button>
 *       {error ? <p>{String(error)}</p> : null}
 *       <ul>{loading ? '…' : open.map((t) => <li key={t.id}>{t.title}</li>)}</ul>
 *     </>
 *   );
 * }
 * ```
 * @module
 */

export type { CommandState } from '../runtime/command-store.ts';
export type { LiveState, Readable, Watchable } from '../runtime/readable.ts';
export type { CommandHandle } from './hooks.ts';
export { useCommand, useLiveQuery, useModel, useReadable } from './hooks.ts';
