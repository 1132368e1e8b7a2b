/** The hooks: each a store of the core's (`liveModel`, `liveQuery`, `commandStore`) read through `useSyncExternalStore`. */
import { useMemo, useSyncExternalStore } from 'react';
import type { Query } from '../contracts/query.ts';
import type { Command } from '../messages/message.ts';
import { type CommandState, type CommandStore, commandStore } from '../runtime/command-store.ts';
import {
  type LiveState,
  liveModel,
  liveQuery,
  type Readable,
  readable,
  type Watchable,
} from '../runtime/readable.ts';
import type { DeliveryReceipt, SendOptions, Whizbang } from '../runtime/types.ts';

/** The value of any {@link Readable} store, re-rendering the component when it changes. */
export function useReadable<T>(store: Readable<T>): T {
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

const NO_MODEL: Readable<LiveState<never>> = readable<LiveState<never>>(
  Object.freeze({ data: undefined, loading: false, error: undefined }),
  () => () => {},
);

/**
 * One model of a lens, live (`lens.watch`): `data` is the model, `undefined` while `loading` or
 * when there is none. With `id` undefined nothing is watched (`loading` is false).
 */
export function useModel<M>(
  lens: Watchable<M>,
  id: string | undefined,
  options?: { readonly tenant?: string },
): LiveState<M | undefined> {
  const tenant = options?.tenant;
  const store = useMemo(
    () =>
      id === undefined
        ? NO_MODEL
        : liveModel(lens, id, tenant === undefined ? undefined : { tenant }),
    [lens, id, tenant],
  );
  return useReadable(store);
}

/**
 * A lens query, live (`lens.live`): `data` is the models, `undefined` while `loading`. The query
 * is compared by its JSON, so an object literal written in the component does not subscribe anew
 * on each render.
 */
export function useLiveQuery<M>(
  lens: Watchable<M>,
  query: Query & { readonly tenant?: string } = {},
): LiveState<M[]> {
  const key = JSON.stringify(query);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query is keyed by its JSON
  const store = useMemo(() => liveQuery(lens, query), [lens, key]);
  return useReadable(store);
}

/** What `useCommand` gives: the state of its sends, and `send` and `reset`. */
export interface CommandHandle<C extends Command> extends CommandState {
  /** Sends a command; resolves with its receipt, or `undefined` when it failed (see `error`). */
  send<M extends C>(command: M, options?: SendOptions): Promise<DeliveryReceipt | undefined>;
  /** Forgets the last outcome. */
  reset(): void;
}

/**
 * Sends commands through `app`, with their state: `pending` while one is under way, then the
 * last one's `receipt` or `error`. `send` never rejects, so it can be a click handler as it is.
 */
export function useCommand<C extends Command>(app: Whizbang<C, any>): CommandHandle<C> {
  const store: CommandStore<C> = useMemo(() => commandStore(app), [app]);
  const state = useReadable(store);
  return useMemo(() => ({ ...state, send: store.send, reset: store.reset }), [state, store]);
}
