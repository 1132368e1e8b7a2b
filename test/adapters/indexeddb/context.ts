/**
 * What every part of the IndexedDB suite is given, and the helpers they share: databases opened
 * by hand (as another version, or another application, would leave them) and readable errors.
 * Imports nothing of Node, so that it bundles for the browser.
 */
import type { IndexedDbDriver, IndexedDbDriverOptions } from '../../../adapters/indexeddb/mod.ts';
import type { OutboxRecord } from '../../../js/contracts/outbox.ts';
import { isWhizbangError } from '../../../js/util/errors.ts';

/** Where the suite runs: an IndexedDB and a way to name a database no test has used. */
export interface IndexedDbEnvironment {
  readonly indexedDB: IDBFactory;
  readonly IDBKeyRange: typeof IDBKeyRange;
  /** A database name unused so far. */
  readonly freshName: () => string;
}

/** Options of a driver the suite opens (the environment gives the IndexedDB and the name). */
export type SuiteDriverOptions = Omit<IndexedDbDriverOptions, 'indexedDB' | 'IDBKeyRange' | 'name'>;

/** What each part of the suite gets. */
export interface IndexedDbContext {
  readonly label: string;
  readonly env: IndexedDbEnvironment;
  /** Opens a driver on the database `name` of the environment. */
  readonly open: (name: string, options?: SuiteDriverOptions) => Promise<IndexedDbDriver>;
  /** Opens a driver on a new database. */
  readonly fresh: () => Promise<IndexedDbDriver>;
}

/** One part of the suite: registers its `describe` block. */
export type IndexedDbPart = (context: IndexedDbContext) => void;

export const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/** A Whizbang error's code, or the error's name and message, so a failure says what came. */
export const codeOf = (error: unknown): string =>
  isWhizbangError(error)
    ? error.code
    : `${(error as { name?: string } | null)?.name ?? typeof error}: ${message(error)}`;

/** Opens a database by hand at `version`, running `upgrade` when it is created or upgraded. */
export function openRaw(
  factory: IDBFactory,
  name: string,
  version: number,
  upgrade?: (db: IDBDatabase, tx: IDBTransaction) => void,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result, request.transaction!);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Every record of a store. */
export function all<T>(db: IDBDatabase, store: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const request = db.transaction(store).objectStore(store).getAll();
    request.onsuccess = () => resolve(request.result as T[]);
    request.onerror = () => reject(request.error);
  });
}

/** What a version-1 database held: the ledger and the read models, written by hand. */
export async function versionOneDatabase(factory: IDBFactory, name: string): Promise<void> {
  const db = await openRaw(factory, name, 1, (raw) => {
    const events = raw.createObjectStore('events', { keyPath: 'position' });
    events.createIndex('stream', ['tenant', 'streamId', 'version'], { unique: true });
    raw.createObjectStore('perspectives', { keyPath: ['perspective', 'tenant', 'id'] });
    raw.createObjectStore('checkpoints', { keyPath: 'perspective' });
  });
  const tx = db.transaction(['events', 'perspectives', 'checkpoints'], 'readwrite');
  const event = (position: number, streamId: string, version: number, type: string) => ({
    position,
    tenant: 'default',
    streamId,
    version,
    type,
    messageId: `m${position}`,
    correlationId: `m${position}`,
    causationId: `m${position}`,
    timestamp: 1_700_000_000_000 + position,
    data: JSON.stringify({ n: position }),
  });
  tx.objectStore('events').add(event(1, 'a', 1, 'Opened'));
  tx.objectStore('events').add(event(2, 'b', 1, 'Opened'));
  tx.objectStore('events').add(event(3, 'a', 2, 'Deposited'));
  tx.objectStore('perspectives').put({
    perspective: 'balances',
    tenant: 'default',
    id: 'a',
    model: { balance: 3 },
    version: 2,
    position: 3,
    updatedAt: 1_700_000_000_003,
  });
  tx.objectStore('checkpoints').put({ perspective: 'balances', position: 3 });
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}

/** An outbox record of a `Shipped` event. */
export function outboxRecord(id: string, enqueuedAt: number): OutboxRecord {
  return {
    id,
    topic: 'whizbang.events.Shipped',
    envelope: {
      message: { kind: 'event', type: 'Shipped', data: { id } },
      messageId: id,
      correlationId: id,
      causationId: id,
      tenant: 'default',
      timestamp: enqueuedAt,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      hops: [],
    } as unknown as OutboxRecord['envelope'],
    attempts: 0,
    enqueuedAt,
    availableAt: enqueuedAt,
  };
}
