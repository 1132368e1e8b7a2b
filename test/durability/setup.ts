/**
 * The rig's stores and transports: each service gets a store of its own (a memory driver, a
 * SQLite file, a PostgreSQL schema, a fake-indexeddb database), and the two talk over the memory
 * transport (in one process) or NATS (core or JetStream) on a nats-server of the run's own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import pg from 'pg';
import { indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import { natsTransport } from '../../adapters/nats/node.ts';
import { postgresDriver } from '../../adapters/postgres/mod.ts';
import { sqliteDriver } from '../../adapters/sqlite/mod.ts';
import { type Driver, memoryDriver, memoryTransport, type Transport } from '../../js/mod.ts';
import { DATABASE_URL } from '../support/services.ts';

/** Where a service keeps its data. */
export type StoreKind = 'memory' | 'sqlite' | 'postgres' | 'indexeddb';

/** How the services talk. */
export type TransportKind = 'memory' | 'nats-core' | 'nats-jetstream';

/** A store a service can open (again, after a restart: the same file or schema). */
export interface StoreSpec {
  readonly kind: StoreKind;
  /** The SQLite file, PostgreSQL schema or IndexedDB name. */
  readonly where: string;
}

/** What one run's stores live in, and how to clean them up. */
export class Places {
  readonly #dir = mkdtempSync(join(tmpdir(), 'whizbang-rig-'));
  readonly #schemas: string[] = [];
  readonly #idb = new IDBFactory();
  #n = 0;

  /** A fresh store spec of `kind`. */
  fresh(kind: StoreKind, label: string): StoreSpec {
    const id = `${label}_${process.pid}_${Date.now().toString(36)}_${this.#n++}`;
    if (kind === 'sqlite') return { kind, where: join(this.#dir, `${id}.db`) };
    if (kind === 'postgres') {
      const schema = `rig_${id}`.toLowerCase();
      this.#schemas.push(schema);
      return { kind, where: schema };
    }
    return { kind, where: id };
  }

  /** Opens the driver of `spec` (in this process). */
  async open(spec: StoreSpec): Promise<Driver> {
    if (spec.kind === 'memory') return memoryDriver();
    if (spec.kind === 'indexeddb') {
      return indexedDbDriver({ name: spec.where, indexedDB: this.#idb, IDBKeyRange });
    }
    return openDriver(spec);
  }

  async dispose(): Promise<void> {
    rmSync(this.#dir, { recursive: true, force: true });
    if (this.#schemas.length === 0) return;
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    for (const s of this.#schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  }
}

/** Opens a SQLite or PostgreSQL store (any process can: they live outside it). */
export async function openDriver(spec: StoreSpec): Promise<Driver> {
  if (spec.kind === 'sqlite') return sqliteDriver({ path: spec.where });
  if (spec.kind === 'postgres') {
    return postgresDriver({ url: DATABASE_URL, schema: spec.where, max: 4 });
  }
  throw new Error(`A ${spec.kind} store lives in one process only.`);
}

/** How a service connects to the run's broker. */
export interface TransportSpec {
  readonly kind: TransportKind;
  readonly url: string;
  /** Subjects (and the JetStream stream) of this run only. */
  readonly prefix: string;
}

/** Opens a NATS transport of `spec` (a memory transport is made once per run, in process). */
export function openNats(spec: TransportSpec): Promise<Transport & { close(): Promise<void> }> {
  const common = {
    servers: spec.url,
    prefix: spec.prefix,
    reconnect: { initialMs: 20, maxMs: 250 },
    // the handler's failures are the rig's faults: retried until they pass
    redelivery: { attempts: 1_000, backoffMs: 5 },
  };
  if (spec.kind === 'nats-core') return natsTransport(common);
  return natsTransport({
    ...common,
    jetstream: { stream: `RIG_${spec.prefix}`, ackWaitMs: 1_000 },
  });
}

/** The memory transport both services of an in-process run share. */
export function sharedMemoryTransport(): Transport & { close(): unknown } {
  return memoryTransport({ redelivery: { attempts: 1_000, backoffMs: 1 } });
}
