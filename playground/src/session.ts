/**
 * One sample domain running in the page: its app on IndexedDB (one database per domain, so each
 * keeps its ledger across reloads), built on `offlineDriver` so that its local commits wait as
 * pending until a sync pushes them (see `sync.ts`), a trace store of what was dispatched, a time traveler over the
 * ledger, and a mirror of the ledger in a memory ledger on the WebAssembly core, whose scan does
 * the ledger table's filtering.
 */

import { type IndexedDbDriver, indexedDbDriver } from '../../adapters/indexeddb/mod.ts';
import type { Ledger, RecordedEvent, Whizbang } from '../../js/mod.ts';
import { memoryLedger } from '../../js/mod.ts';
import { offlineDriver, type PendingCommit, type SyncConflict } from '../../js/sync/mod.ts';
import { type TimeTraveler, timeTravel } from '../../js/timetravel/mod.ts';
import { type TraceStore, traceStore } from '../../js/trace/mod.ts';
import {
  type CoreFactory,
  encodeSegment,
  exportLedger,
  jsCore,
  loadWasmCore,
} from '../../js/wasm/mod.ts';
import type { Domain } from './domains/types.ts';
import { shown } from './protected-view.ts';
import { seedLedger } from './seed.ts';

/** What the ledger table asks for. */
export interface LedgerFilter {
  readonly stream?: string;
  readonly type?: string;
  /** As of this global position (default: the head). */
  readonly to?: number;
}

export interface Session {
  readonly domain: Domain;
  /** Following a running system's log (`domain.live`): the page sends no command. */
  readonly readOnly: boolean;
  readonly app: Whizbang<any, any>;
  readonly trace: TraceStore;
  readonly traveler: TimeTraveler;
  /** Which core the filtering ran on: `'wasm'`, or `'js'` where WebAssembly cannot load. */
  readonly core: 'wasm' | 'js';
  /**
   * Show protected fields as stored (default false: they read '[redacted]' in the ledger table,
   * its exports and sync's conflicts).
   */
  revealProtected: boolean;
  /** Every event, oldest first, as the page shows them (see `revealProtected`). */
  events(): Promise<RecordedEvent[]>;
  /** The whole ledger as the page shows it, as a segment file sealed by the core (`exportLedger`). */
  segmentFile(): Promise<Uint8Array>;
  /** The events the filter keeps, read from the mirror (the core's scan and stream index). */
  filter(filter: LedgerFilter): Promise<RecordedEvent[]>;
  /** The local commits no shared log has yet, in push order (kept across reloads, offline too). */
  pending(): Promise<PendingCommit[]>;
  /** The conflicts sync reported and nobody dismissed yet (kept across reloads). */
  conflicts(): Promise<SyncConflict[]>;
  /** Forgets a conflict. */
  dismiss(id: string): Promise<void>;
  close(): Promise<void>;
}

let cores: Promise<CoreFactory> | undefined;
/** The WebAssembly core, loaded once; its scan is asked for by name (the plan may prefer the twin). */
function core(): Promise<CoreFactory> {
  cores ??= loadWasmCore(undefined, { plan: { scan: 'wasm', index: 'wasm' } }).catch(() => jsCore);
  return cores;
}

export const databaseName = (domain: Domain): string => `whizbang-playground-${domain.id}`;

/** Opens `domain` on its IndexedDB database. */
export async function openSession(
  domain: Domain,
  pulled: (count: number) => void = () => {},
): Promise<Session> {
  const local: IndexedDbDriver = await indexedDbDriver({ name: databaseName(domain) });
  const driver = offlineDriver(local);
  const trace = traceStore({ capacity: 200 });
  const app = domain.build({ driver, observers: [trace] });
  // a copy of another log: on the local ledger, so that sync sees none of it as pending
  if (domain.seed !== undefined) await seedLedger(app, local.ledger, await domain.seed());
  // a running system's log, followed into the local ledger (loaded only then)
  const untail =
    domain.live === undefined
      ? undefined
      : await (await import('./tail.ts')).startTail(app, local.ledger, domain.live, pulled);
  const traveler = timeTravel({ ledger: app.ledger, perspectives: app.perspectives.values() });
  const factory = await core();
  let mirror: { key: string; ledger: Ledger } | undefined;

  let reveal = false;
  const events = async (): Promise<RecordedEvent[]> => shown(await app.ledger.readAll(), reveal);
  // Rebuilt from the whole ledger when it has changed: a playground's ledger is small, and one
  // segment encodes it in one call. Sync may replace a stream's pending tail, giving positions out
  // again, so the head alone does not say the ledger is the same: its last event's id does too.
  const mirrored = async (): Promise<Ledger> => {
    const all = await events();
    const key = `${reveal}:${all.length}:${all.at(-1)?.position ?? 0}:${all.at(-1)?.messageId ?? ''}`;
    if (mirror?.key === key) return mirror.ledger;
    const segments =
      all.length === 0
        ? []
        : [
            encodeSegment(
              all.map((e) => ({ ...e, kind: 'event' as const })),
              { core: factory.create() },
            ),
          ];
    mirror = { key, ledger: memoryLedger({ core: factory, segments }) };
    return mirror.ledger;
  };

  return {
    domain,
    readOnly: domain.live !== undefined,
    app,
    trace,
    traveler,
    core: factory.kind,
    get revealProtected() {
      return reveal;
    },
    set revealProtected(on: boolean) {
      reveal = on;
    },
    events,
    segmentFile: async () => exportLedger(await mirrored(), { core: factory }),
    async filter({ stream, type, to }) {
      const ledger = await mirrored();
      const found =
        stream === undefined
          ? await ledger.readAll({ ...(type ? { types: [type] } : {}), ...(to ? { to } : {}) })
          : await ledger.readStream(stream);
      return found.filter(
        (e) => (to === undefined || e.position <= to) && (type === undefined || e.type === type),
      );
    },
    pending: () => driver.pending(),
    async conflicts() {
      return (await driver.conflicts.query())
        .sort((x, y) => x.at - y.at)
        .map((c) => ({
          ...c,
          ...(c.command === undefined ? {} : { command: shown([c.command], reveal)[0]! }),
          ...(c.events === undefined ? {} : { events: shown(c.events, reveal) }),
        }));
    },
    dismiss: (id) => driver.dismiss(id),
    async close() {
      await untail?.();
      await app.close();
    },
  };
}

/** Deletes a domain's database (its app closed first). */
export function deleteDatabase(domain: Domain): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(databaseName(domain));
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    request.onblocked = () => resolve(); // another tab holds it: it goes once that tab closes it
  });
}
