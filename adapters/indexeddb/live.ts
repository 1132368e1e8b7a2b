/**
 * Live lenses across tabs: the store's `watch` hears other tabs' notices (see broadcast.ts), and
 * this tab's model writes made without an append are told to them once committed.
 */
import { notingWriter } from '../../js/kit/mod.ts';
import type { MaybePromise, StoreWriter } from '../../js/mod.ts';
import type { Notifier } from './broadcast.ts';
import type { IndexedDbStore } from './store.ts';

/** `store` with a `watch`, and with transactions and clears that tell other tabs. */
export function liveAcrossTabs(store: IndexedDbStore, notifier: Notifier): IndexedDbStore {
  return {
    ...store,
    transaction<T>(fn: (tx: StoreWriter) => MaybePromise<T>): Promise<T> {
      const names = new Set<string>();
      return store
        .transaction((tx) => fn(notingWriter(tx, names)))
        .then((value) => {
          if (names.size > 0) notifier.modelsChanged([...names]);
          return value;
        });
    },
    clear: (perspective) =>
      store.clear(perspective).then(() => notifier.modelsChanged([perspective])),
    watch: (listener) =>
      notifier.watchModels((perspectives) =>
        listener(perspectives === undefined ? {} : { perspectives }),
      ),
  };
}
