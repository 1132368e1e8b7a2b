/**
 * The IndexedDB schema, readable in the browser's developer tools: one object store per kind of
 * record. The database's version is the schema version: `onupgradeneeded` runs the missing steps
 * in order inside the upgrade transaction (existing records stay; new indexes are built over
 * them), and a database from a newer Whizbang, or of another application, is refused untouched.
 */

/** The object stores, by what they hold. */
export const STORES = {
  /** Events, keyed by global position; unique index on (tenant, stream, version). */
  events: 'events',
  /** Read models, keyed by (perspective, tenant, id). */
  perspectives: 'perspectives',
  /** Each perspective's position, keyed by perspective. */
  checkpoints: 'checkpoints',
  /** Snapshots, keyed by (kind, tenant, id). */
  snapshots: 'snapshots',
  /** Messages waiting to leave, in the order they were written (`seq`). */
  outbox: 'outbox',
  /** Handled incoming messages, keyed by (tenant, message id). */
  inbox: 'inbox',
  /** Outbox records the relay gave up on, in the order they died (`seq`). */
  deadLetters: 'deadLetters',
  /** The declared fields each perspective's models carry index entries for, by perspective. */
  fields: 'fields',
  /** Sealed events: one binary segment (core-wasm/FORMAT.md) per record, keyed by its first position. */
  segments: 'segments',
  /** The index of the sealed part: `'head'`, per stream its version and segments, per type its segments. */
  sealed: 'sealed',
} as const;

/** The indexes, by store. */
export const INDEXES = {
  /** events: (tenant, streamId, version), unique. */
  stream: 'stream',
  /** events: (type, position). */
  type: 'type',
  /** events: (tenant, position). */
  tenant: 'tenant',
  /** outbox: message id, unique. */
  outboxId: 'id',
  /** inbox: handledAt. */
  handledAt: 'handledAt',
  /** snapshots: (tenant, id). */
  snapshotStream: 'stream',
  /** deadLetters: message id, unique. */
  deadLetterId: 'id',
  /** perspectives: `[perspective, tenant, field, value]` of declared fields (multi-entry). */
  fields: 'fields',
} as const;

/** Each entry upgrades the schema by one version, inside the upgrade transaction. */
const MIGRATIONS: readonly ((db: IDBDatabase, tx: IDBTransaction) => void)[] = [
  // 1: the ledger and the read models
  (db) => {
    const events = db.createObjectStore(STORES.events, { keyPath: 'position' });
    events.createIndex(INDEXES.stream, ['tenant', 'streamId', 'version'], { unique: true });
    db.createObjectStore(STORES.perspectives, { keyPath: ['perspective', 'tenant', 'id'] });
    db.createObjectStore(STORES.checkpoints, { keyPath: 'perspective' });
  },
  // 2: reads by type and by tenant, the outbox and inbox, snapshots
  (db, tx) => {
    const events = tx.objectStore(STORES.events);
    events.createIndex(INDEXES.type, ['type', 'position']);
    events.createIndex(INDEXES.tenant, ['tenant', 'position']);
    const outbox = db.createObjectStore(STORES.outbox, { keyPath: 'seq', autoIncrement: true });
    outbox.createIndex(INDEXES.outboxId, 'id', { unique: true });
    const inbox = db.createObjectStore(STORES.inbox, { keyPath: ['tenant', 'messageId'] });
    inbox.createIndex(INDEXES.handledAt, 'handledAt');
    const snapshots = db.createObjectStore(STORES.snapshots, { keyPath: ['kind', 'tenant', 'id'] });
    snapshots.createIndex(INDEXES.snapshotStream, ['tenant', 'id']);
  },
  // 3: the outbox's dead letters (the outbox's order per stream and the inbox's rest need no change)
  (db) => {
    const dead = db.createObjectStore(STORES.deadLetters, { keyPath: 'seq', autoIncrement: true });
    dead.createIndex(INDEXES.deadLetterId, 'id', { unique: true });
  },
  // 4: declared fields of read models, in an index (models written before carry none yet: a
  // perspective's declaration adds them, see fields.ts)
  (db, tx) => {
    tx.objectStore(STORES.perspectives).createIndex(INDEXES.fields, 'ix', { multiEntry: true });
    db.createObjectStore(STORES.fields, { keyPath: 'perspective' });
  },
  // 5: segments of sealed events and their index (empty until a driver opts in to `segments`)
  (db) => {
    db.createObjectStore(STORES.segments);
    db.createObjectStore(STORES.sealed);
  },
];

/** The schema version this code writes (the IndexedDB database version). */
export const SCHEMA_VERSION: number = MIGRATIONS.length;

/** The stores every schema has had since version 1: a database without them is not Whizbang's. */
const FIRST_STORES = [STORES.events, STORES.perspectives, STORES.checkpoints];

function foreign(name: string, db: IDBDatabase): WhizbangError {
  const found = Array.from(db.objectStoreNames).slice(0, 3).join('", "');
  return new WhizbangError(
    'INVALID_ARGUMENT',
    `The IndexedDB database "${name}" holds stores of another application${found ? ` ("${found}")` : ''} and no Whizbang schema. Give Whizbang a database name of its own; nothing was changed.`,
  );
}

function newer(name: string, found: number | undefined): WhizbangError {
  return new WhizbangError(
    'INVALID_ARGUMENT',
    `The IndexedDB database "${name}" was written by a newer Whizbang (schema ${found ?? 'newer'}; this one knows ${SCHEMA_VERSION}). Upgrade Whizbang (reload the page to get the new version) to open it; it was not changed.`,
  );
}

/** Settles with an open request's outcome. */
function opened(request: IDBOpenDBRequest): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = (event) => {
      event.preventDefault(); // the error is reported here, not as an uncaught one
      reject(request.error);
    };
  });
}

/** Why a database newer than this code cannot be opened: a newer Whizbang's, or not Whizbang's. */
async function refuseNewer(factory: IDBFactory, name: string): Promise<WhizbangError> {
  let db: IDBDatabase;
  try {
    db = await opened(factory.open(name)); // at its own version: nothing changes
  } catch {
    return newer(name, undefined);
  }
  const error = FIRST_STORES.every((store) => db.objectStoreNames.contains(store))
    ? newer(name, db.version)
    : foreign(name, db);
  db.close();
  return error;
}

/** What to do while another connection holds an older version open. */
export interface OpenHooks {
  /** Another tab keeps an older version open: the upgrade waits until it closes. */
  readonly onBlocked?: () => void;
}

/**
 * Opens (creating or upgrading) the database at {@link SCHEMA_VERSION}. Refuses, untouched, a
 * database of a newer schema and one that holds another application's stores.
 */
export async function openDatabase(
  factory: IDBFactory,
  name: string,
  hooks: OpenHooks = {},
): Promise<IDBDatabase> {
  let refusal: WhizbangError | undefined;
  const request = factory.open(name, SCHEMA_VERSION);
  request.onblocked = () => hooks.onBlocked?.();
  request.onupgradeneeded = (event) => {
    const db = request.result;
    const tx = request.transaction!;
    const from = event.oldVersion;
    if (from > 0 && !FIRST_STORES.every((store) => db.objectStoreNames.contains(store))) {
      refusal = foreign(name, db);
      tx.abort(); // the database keeps its version and its stores
      return;
    }
    for (let v = from; v < SCHEMA_VERSION; v++) MIGRATIONS[v]!(db, tx);
  };
  let db: IDBDatabase;
  try {
    db = await opened(request);
  } catch (cause) {
    if (refusal !== undefined) throw refusal;
    if ((cause as { name?: string } | null)?.name === 'VersionError') {
      throw await refuseNewer(factory, name);
    }
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `The IndexedDB database "${name}" could not be opened: ${cause instanceof Error ? cause.message : String(cause)}. ` +
        'Check that the page may use IndexedDB (not blocked by the browser or a private mode) and that there is space.',
      { cause },
    );
  }
  const missing = Object.values(STORES).filter((store) => !db.objectStoreNames.contains(store));
  if (missing.length > 0) {
    const error = foreign(name, db);
    db.close();
    throw error;
  }
  return db;
}

import { WhizbangError } from '../../js/mod.ts';
