/** What the ledger and the store share: the open database and how to make transactions on it. */
import { WhizbangError } from '../../js/mod.ts';
import { DeclaredFields } from './fields.ts';
import { STORES } from './schema.ts';
import { type Durability, storageError, Transaction } from './transaction.ts';

/** The stores a store transaction (and an append's inline work) may write. */
export const WRITER_STORES: readonly string[] = [
  STORES.perspectives,
  STORES.checkpoints,
  STORES.outbox,
  STORES.inbox,
];

/** The open database, shared by the driver's parts. */
export class Connection {
  readonly db: IDBDatabase;
  readonly keys: typeof IDBKeyRange;
  readonly durability: Durability;
  readonly name: string;
  /** The declared fields of the perspectives, which model writes add index entries for. */
  readonly fields: DeclaredFields = new DeclaredFields();
  #closed: string | undefined;

  constructor(db: IDBDatabase, keys: typeof IDBKeyRange, durability: Durability) {
    this.db = db;
    this.keys = keys;
    this.durability = durability;
    this.name = db.name;
  }

  /** Marks the connection closed, with the reason later calls are refused with. */
  closed(reason: string): void {
    this.#closed ??= reason;
  }

  /** Throws CLOSED once the connection is closed. */
  check(): void {
    if (this.#closed !== undefined) throw new WhizbangError('CLOSED', this.#closed);
  }

  /** A read-write transaction over `stores`. */
  write(stores: readonly string[]): Transaction {
    this.check();
    return new Transaction(this.db, stores, 'readwrite', this.durability);
  }

  /**
   * Runs `change` in a plain read-write transaction (its requests, and those their handlers
   * place, are the transaction); settles once it committed, or rejects with why it did not.
   */
  change(stores: readonly string[], change: (tx: IDBTransaction) => void): Promise<void> {
    let tx: IDBTransaction;
    try {
      this.check();
      tx = this.db.transaction(stores as string[], 'readwrite', { durability: this.durability });
    } catch (error) {
      return Promise.reject(storageError(error));
    }
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(storageError(tx.error));
    });
    try {
      change(tx);
    } catch (error) {
      done.catch(() => {});
      try {
        tx.abort();
      } catch {
        // already over
      }
      return Promise.reject(error);
    }
    return done;
  }

  /** A read-only IndexedDB transaction over `stores`. */
  read(stores: string | string[]): IDBTransaction {
    this.check();
    try {
      return this.db.transaction(stores, 'readonly');
    } catch (cause) {
      throw new WhizbangError(
        'CLOSED',
        `The IndexedDB database "${this.name}" cannot be read: ${cause instanceof Error ? cause.message : String(cause)}. Open the driver again.`,
        { cause },
      );
    }
  }
}
