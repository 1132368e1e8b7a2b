/**
 * Live lenses across tabs: the store's `watch` hears other tabs' notices (see broadcast.ts), and
 * this tab's model writes made without an append are told to them once committed.
 */
import { notingWriter } from '../../js/kit/mod.ts';
import type { MaybePromise, StoreWriter } from '../../js/mod.ts';
import type { Notifier } from './broadcast.ts';
import type { IndexedDbStore } from './store.ts';

/** Gives `store` its `watch`, and has its transactions and clears tell other tabs. */
export function liveAcrossTabs(store: IndexedDbStore, notifier: Notifier): void {
  const transaction = store.transaction.bind(store);
  const clear = store.clear.bind(store);
  store.transaction = <T>(fn: (tx: StoreWriter) => MaybePromise<T>): Promise<T> => {
    const names = new Set<string>();
    return transaction((tx) => fn(notingWriter(tx, names))).then((value) => {
      if (names.size > 0) notifier.modelsChanged([...names]);
      return value;
    });
  };
  store.clear = (perspective) =>
    clear(perspective).then(() => notifier.modelsChanged([perspective]));
  store.watch = (listener) =>
    notifier.watchModels((perspectives) =>
      listener(perspectives === undefined ? {} : { perspectives }),
    );
}
