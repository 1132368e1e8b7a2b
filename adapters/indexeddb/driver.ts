/** The IndexedDB driver: ledger, store, outbox, inbox and snapshots in one database of the origin. */
import { limitsOf } from '../../js/kit/mod.ts';
import { type Driver, WhizbangError } from '../../js/mod.ts';
import { Notifier } from './broadcast.ts';
import { Connection } from './connection.ts';
import type { IdbDatabase, IdbFactory, IdbKeyRangeClass } from './host-types.ts';
import {
  type IndexedDbLedger,
  type IndexedDbLedgerOptions,
  indexedDbLedger,
  type LedgerSegments,
} from './ledger.ts';
import { liveAcrossTabs } from './live.ts';
import { openDatabase } from './schema.ts';
import { Sealer } from './seal.ts';
import type { SegmentReport } from './sealed-index.ts';
import { IndexGate } from './segment-gate.ts';
import { loadWasmParts, SegmentCodec, type SegmentOptions } from './segments.ts';
import {
  type CompactOptions,
  type CompactReport,
  compact,
  type StorageReport,
  storageReport,
} from './storage.ts';
import { type IndexedDbStore, indexedDbStore } from './store.ts';
import type { Durability } from './transaction.ts';

/** Options of {@link indexedDbDriver}. */
export interface IndexedDbDriverOptions extends IndexedDbLedgerOptions {
  /** The database name (default `'whizbang'`); one per app on the origin. */
  readonly name?: string;
  /**
   * The IndexedDB factory (default `globalThis.indexedDB`): pass another, such as
   * fake-indexeddb's in tests, together with its `IDBKeyRange`.
   */
  readonly indexedDB?: IdbFactory;
  /** The `IDBKeyRange` of that factory (default `globalThis.IDBKeyRange`). */
  readonly IDBKeyRange?: IdbKeyRangeClass;
  /**
   * How hard each commit is flushed (default `'relaxed'`): `'relaxed'` survives a crash of the
   * tab or the browser, not always a power cut or an OS crash (as SQLite with
   * `synchronous = NORMAL`); `'strict'` flushes to the disk before the commit reports (slower);
   * `'default'` leaves it to the browser.
   */
  readonly durability?: Durability;
  /**
   * Tell other tabs of each commit over a BroadcastChannel, and hear theirs (default true where
   * BroadcastChannel exists): subscriptions in every tab see every tab's events without polling.
   */
  readonly broadcast?: boolean;
  /** Another tab upgrades the database: this connection closes (reload to get the new code). */
  readonly onVersionChange?: () => void;
  /** This tab waits to upgrade the database until other tabs on the old version close it. */
  readonly onBlocked?: () => void;
}

/** An IndexedDB driver, with the storage report and compaction. */
export interface IndexedDbDriver extends Driver {
  /** The ledger, in the database's `events` store. */
  readonly ledger: IndexedDbLedger;
  /** The perspective store, with the outbox, inbox and checkpoints. */
  readonly store: IndexedDbStore;
  /** Snapshots of stateful streams. */
  readonly snapshots: IndexedDbStore['snapshots'];
  /** The open database. */
  readonly database: IdbDatabase;
  /** What the database holds, and the browser's estimate of what the site uses. */
  storage(): Promise<StorageReport>;
  /** Gives space back: see {@link CompactOptions}. */
  compact(options: CompactOptions): Promise<CompactReport>;
  /** The segment store, when the driver was opened with `segments` (else undefined). */
  readonly segments: SegmentStore | undefined;
  /** Closes the database connection. */
  close(): void;
}

/** The segment store of a driver opened with `segments`. */
export interface SegmentStore {
  /**
   * Seals every full segment's worth of recent events now (with `all`, the rest too); resolves to
   * how many events it sealed. Sealing also runs in the background after appends.
   */
  seal(options?: { readonly all?: boolean }): Promise<number>;
  /**
   * Reads every segment (each checked by the core), compares the index with what they hold and
   * rebuilds it when it differs; a corrupt segment rejects with `CorruptDataError`.
   */
  verify(): Promise<SegmentReport>;
}

const DURABILITIES: readonly Durability[] = ['strict', 'relaxed', 'default'];

/**
 * Starts loading `whizbang/wasm` and sealing. Neither that import, nor the index's check, nor the
 * WebAssembly core is waited for: the first use waits for the import and checks the index
 * (segment-gate.ts); the core compiles in the background, the twin reading streams meanwhile.
 */
async function openSegments(
  connection: Connection,
  name: string,
  option: true | SegmentOptions,
): Promise<LedgerSegments> {
  const o: SegmentOptions = option === true ? {} : option;
  if (o.size !== undefined && (!Number.isSafeInteger(o.size) || o.size < 1 || o.size > 65536))
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"segments.size" must be a whole number of events from 1 to 65536, got ${o.size}.`,
    );
  const codec = new SegmentCodec(name, loadWasmParts(), o);
  const gate = new IndexGate(connection, codec);
  const sealer = new Sealer(connection, codec, gate);
  if (codec.background) sealer.kick();
  return { codec, sealer, gate };
}

/** Opens (creating or upgrading) the database and returns the driver on it. */
export async function indexedDbDriver(
  options: IndexedDbDriverOptions = {},
): Promise<IndexedDbDriver> {
  const g = globalThis as { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange };
  const factory = options.indexedDB ?? g.indexedDB;
  const keys = options.IDBKeyRange ?? g.IDBKeyRange;
  if (factory === undefined || keys === undefined) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      "whizbang/indexeddb needs IndexedDB: run it in a browser (or a worker), or pass `indexedDB` and `IDBKeyRange` (fake-indexeddb's, in Node).",
    );
  }
  const durability = options.durability ?? 'relaxed';
  if (!DURABILITIES.includes(durability)) {
    throw new WhizbangError(
      'INVALID_ARGUMENT',
      `"durability" must be 'strict', 'relaxed' or 'default', got ${JSON.stringify(durability)}.`,
    );
  }
  const name = options.name ?? 'whizbang';
  const db = await openDatabase(factory, name, {
    ...(options.onBlocked ? { onBlocked: options.onBlocked } : {}),
  });
  const connection = new Connection(db, keys, durability);
  const notifier = new Notifier(name, options.broadcast ?? true);
  const store = liveAcrossTabs(
    indexedDbStore(connection, limitsOf(options.limits, options.maxPayloadBytes)),
    notifier,
  );
  const segments = options.segments
    ? await openSegments(connection, name, options.segments)
    : undefined;
  const ledger = indexedDbLedger(connection, notifier, options, segments);
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    segments?.sealer.stop();
    connection.closed(reason);
    notifier.close();
    db.close();
  };
  db.onversionchange = () => {
    // another tab opens a newer schema (or deletes the database): let it, and say why we stopped
    close(
      `The IndexedDB database "${name}" was upgraded or deleted by another tab; this connection closed. Reload the page to continue.`,
    );
    options.onVersionChange?.();
  };
  return {
    name: 'indexeddb',
    ledger,
    store,
    snapshots: store.snapshots,
    database: db,
    storage: () => storageReport(connection),
    compact: (o: CompactOptions) => compact(connection, o),
    segments:
      segments === undefined
        ? undefined
        : {
            seal: (o: { readonly all?: boolean } = {}) => segments.sealer.seal(o.all === true),
            verify: () => segments.gate.repair(),
          },
    close(): void {
      close(`The IndexedDB driver on "${name}" is closed; open a new one.`);
    },
  };
}
