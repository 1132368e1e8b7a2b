/** A storage backend: the ledger and the perspective store it keeps together. */
import type { Ledger } from './ledger.ts';
import type { MaybePromise } from './maybe.ts';
import type { PerspectiveStore } from './store.ts';

/** What every storage backend provides; made by a factory such as `memoryDriver()`. */
export interface Driver {
  readonly name: string;
  readonly ledger: Ledger;
  readonly store: PerspectiveStore;
  close?(): MaybePromise<void>;
}
