/**
 * Readable stores: a value that changes, as UI frameworks take one. Svelte's store contract
 * (`subscribe` calls its function with the value now, then on each change, and returns the
 * unsubscribe) plus a getter (`get`) for React's `useSyncExternalStore`, Vue and Solid. A store
 * of a live lens opens the lens when its first subscriber comes and closes it when the last goes,
 * so making one does nothing by itself.
 */
import type { Query } from '../contracts/query.ts';
import type { LiveLens } from './types.ts';

/** A value to read now and subscribe to: Svelte's store contract with a getter. */
export interface Readable<T> {
  /** Calls `run` with the value now, then after each change; returns the unsubscribe. */
  subscribe(run: (value: T) => void): () => void;
  /** The value now: the same object until it changes (so it can be compared by identity). */
  get(): T;
}

/** What a store of a live lens holds. */
export interface LiveState<T> {
  /** The latest answer; `undefined` until the first one. */
  readonly data: T | undefined;
  /** True until the first answer (or error) arrives. */
  readonly loading: boolean;
  /** The error of the last read that failed (`undefined` once an answer arrives). */
  readonly error: unknown;
}

/** What a store needs of a lens: its live forms (`app.lens(p)`, or a time traveler's lens). */
export type Watchable<M> = Pick<LiveLens<M>, 'watch' | 'live'>;

/** Options of the stores. */
export interface ReadableOptions {
  /** Hears a subscriber's throw (the others are still called); without it, it is dropped. */
  readonly onError?: (error: unknown) => void;
}

/** A store that is also set from outside. */
export interface Writable<T> extends Readable<T> {
  /** Sets the value; subscribers are called when it is a different one (`Object.is`). */
  set(value: T): void;
}

/**
 * A store set through its `set`; `start(set)`, when given, runs when the first subscriber comes
 * and returns what to do when the last one goes.
 */
export function writable<T>(
  initial: T,
  start?: (set: (value: T) => void) => () => void,
  options?: ReadableOptions,
): Writable<T> {
  let value = initial;
  const runs = new Set<{ readonly run: (value: T) => void }>();
  let stop: (() => void) | undefined;
  const call = (run: (value: T) => void): void => {
    try {
      run(value);
    } catch (error) {
      options?.onError?.(error);
    }
  };
  const set = (next: T): void => {
    if (Object.is(next, value)) return;
    value = next;
    for (const entry of [...runs]) if (runs.has(entry)) call(entry.run);
  };
  return {
    get: () => value,
    set,
    subscribe(run) {
      const entry = { run }; // one entry per call: the same function may subscribe twice
      runs.add(entry);
      call(run);
      if (runs.size === 1 && stop === undefined && start !== undefined) stop = start(set);
      return () => {
        if (!runs.delete(entry) || runs.size > 0) return;
        const end = stop;
        stop = undefined;
        end?.();
      };
    },
  };
}

/**
 * A store whose value `start` sets: `start(set)` runs when the first subscriber comes and returns
 * what to do when the last one goes. The value is `initial` until `set` is called.
 */
export function readable<T>(
  initial: T,
  start: (set: (value: T) => void) => () => void,
  options?: ReadableOptions,
): Readable<T> {
  const { subscribe, get } = writable(initial, start, options);
  return { subscribe, get };
}

const LOADING: LiveState<never> = Object.freeze({
  data: undefined,
  loading: true,
  error: undefined,
});

/** A store of a live lens opened by `open` (given what to call with answers and with errors). */
function liveStore<T>(
  open: (answer: (data: T) => void, fail: (error: unknown) => void) => () => void,
  options: ReadableOptions | undefined,
): Readable<LiveState<T>> {
  let state: LiveState<T> = LOADING;
  return readable<LiveState<T>>(
    LOADING,
    (set) => {
      const put = (next: LiveState<T>): void => {
        state = Object.freeze(next);
        set(state);
      };
      const fail = (error: unknown): void => put({ data: state.data, loading: false, error });
      try {
        return open((data) => put({ data, loading: false, error: undefined }), fail);
      } catch (error) {
        fail(error); // refused before it opened (a bad id or query): the error is the state
        return () => {};
      }
    },
    options,
  );
}

/**
 * A store of one model, live: `lens.watch(id)` while anyone subscribes. Its value is a
 * {@link LiveState} whose `data` is the model (`undefined` while loading, or when there is none).
 * @example
 * ```ts
 * const todo = liveModel(app.lens(todos), 'todo-1');
 * const stop = todo.subscribe(({ data, loading }) => console.log(loading ? '…' : data?.title));
 * ```
 */
export function liveModel<M>(
  lens: Watchable<M>,
  id: string,
  options?: ReadableOptions & { readonly tenant?: string },
): Readable<LiveState<M | undefined>> {
  const tenant = options?.tenant;
  return liveStore<M | undefined>(
    (answer, fail) =>
      lens.watch(id, answer, tenant === undefined ? { onError: fail } : { tenant, onError: fail }),
    options,
  );
}

/**
 * A store of a lens query, live: `lens.live(query)` while anyone subscribes. Its value is a
 * {@link LiveState} whose `data` is the models (`undefined` while loading).
 * @example
 * ```ts
 * const open = liveQuery(app.lens(todos), { where: { done: false }, orderBy: { title: 'asc' } });
 * const stop = open.subscribe(({ data = [] }) => console.log(data.length, 'to do'));
 * ```
 */
export function liveQuery<M>(
  lens: Watchable<M>,
  query: Query & { readonly tenant?: string } = {},
  options?: ReadableOptions,
): Readable<LiveState<M[]>> {
  return liveStore<M[]>((answer, fail) => lens.live(query, answer, { onError: fail }), options);
}
