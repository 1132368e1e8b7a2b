/**
 * Offline-first sync between an app's local ledger (built on {@link offlineDriver}) and a shared
 * log (the JetStream ledger, or any Ledger). A round pulls (`pull.ts`), rebases what another
 * writer displaced (`rebase.ts`), then pushes (`push.ts`); rounds never overlap, and run on demand
 * or in the background (`schedule.ts`).
 *
 * A crash at any point leaves a replica that starts: every step is one local transaction, and the
 * next round carries on from what was written (a rebuild or a decision interrupted is redone).
 */
import type { Ledger } from '../contracts/ledger.ts';
import type { Lens, Whizbang } from '../runtime/types.ts';
import { invalidArgument, isWhizbangError, WhizbangError } from '../util/errors.ts';
import { catchUp, through, unlayer } from './layers.ts';
import { type Counts, readCursor, type SyncParts } from './parts.ts';
import { pull } from './pull.ts';
import { push } from './push.ts';
import { pushToServer } from './push-server.ts';
import { Rebase } from './rebase.ts';
import type { PendingCommit, SyncConflict } from './records.ts';
import { GroupScope } from './rescope.ts';
import { Background } from './schedule.ts';
import { type PullingLink, throughServer } from './through-server.ts';
import type { SyncLink } from './wire.ts';

/** Options of {@link startSync}. */
export interface StartSyncOptions {
  /**
   * The shared log: `await jetstreamLedger({ servers, prefix })`. Omit it in server mode with
   * stream groups: the replica then reads through its server, only the groups of its scope
   * (`group` says which group a stream is in).
   */
  readonly remote?: Ledger;
  /**
   * Stream groups, when the replica reads through its server (no `remote`): the group of a
   * stream id (`undefined`: none), the same function the server's log was made with. A group
   * that leaves the scope is dropped by it.
   */
  readonly group?: (streamId: string) => string | undefined;
  /** Events read from the shared log per request (default 1000). */
  readonly pageSize?: number;
  /**
   * Pending commits in flight at once (default 256), each of another stream: a stream's commits
   * go one after another, each once the one before it landed.
   */
  readonly pushWindow?: number;
  /**
   * Server mode: pending commands go to this authoritative server (`natsSyncLink(…)` of
   * `whizbang/nats`), which decides them and appends the result; `remote` is then only read.
   * Without it, pending commits are appended to `remote` directly (trusted replicas).
   */
  readonly server?: SyncLink;
  /** Told of each local commit that could not be kept (also listed by `conflicts`). */
  readonly onConflict?: (conflict: SyncConflict) => void;
  /** Told when a background round fails (offline, say); the next round retries. */
  readonly onError?: (error: unknown) => void;
  /** Told what each round did (background rounds and `run()` alike), after it ends. */
  readonly onRound?: (report: SyncReport) => void;
  /** Told when a round starts (background rounds and `run()` alike), before it pulls. */
  readonly onRoundStart?: () => void;
  /** Background rounds: also every this many ms besides on local commits (default 5000). */
  readonly intervalMs?: number;
}

/** What one sync round did. */
export interface SyncReport {
  /** Events taken from the shared log. */
  readonly pulled: number;
  /** Local commits put on the shared log. */
  readonly pushed: number;
  /** Local commits found on the shared log already (a push whose answer was lost). */
  readonly confirmed: number;
  /** Commands decided again after another writer got there first, and kept. */
  readonly redecided: number;
  /** Local commits that could not be kept (see `conflicts`). */
  readonly conflicts: number;
  /**
   * Subjects forgotten elsewhere whose keys this replica dropped, their read models rebuilt:
   * present when the app's driver is `protect(offlineDriver(…))` with a `replicaKeyStore`.
   */
  readonly forgotten?: number;
}

/** A running sync of one app with a shared log. */
export interface Sync {
  /** One round: pull, decide displaced commands again, push. Rounds never overlap. */
  run(): Promise<SyncReport>;
  /** Runs rounds in the background: on local commits, on the shared log's, and every `intervalMs`. */
  start(): void;
  /** Stops background rounds (waits for the one under way). */
  stop(): Promise<void>;
  /** The local commits not on the shared log yet, in push order. */
  pending(): Promise<PendingCommit[]>;
  /** The conflicts reported so far: `get(id)`, `query({ where: { streamId } })`. */
  readonly conflicts: Lens<SyncConflict>;
  /** Forgets a conflict the app has dealt with. */
  dismiss(id: string): Promise<void>;
  /** How far into the shared log this replica is. */
  cursor(): Promise<number>;
}

/** Other writers moving the same streams: a round gives up after this many pulls. */
const MAX_ATTEMPTS = 100;

/** Calls a reporting hook; what it throws never changes the outcome. */
function quietly<T>(hook: ((value: T) => void) | undefined, value: T): void {
  try {
    hook?.(value);
  } catch {
    // a reporting hook never changes the outcome
  }
}

function wholeNumber(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalidArgument(`${name} must be a whole number ≥ 1, got ${value}.`);
  }
  return value;
}

function serverOf(server: SyncLink | undefined): SyncLink | undefined {
  if (server !== undefined && typeof server?.push !== 'function') {
    throw invalidArgument('`server` must be a sync link: await natsSyncLink({ … }).');
  }
  return server;
}

/** The parts of a sync, its options checked. */
function partsOf(app: Whizbang<any, any>, options: StartSyncOptions): SyncParts {
  const replica = app?.replica;
  if (replica === undefined) throw invalidArgument('startSync needs an app made by build().');
  const layered = unlayer(replica.driver);
  if (layered === undefined) {
    throw invalidArgument(
      'startSync needs an app built on offlineDriver(yourDriver), so that local commits are kept as pending: whizbang(name, { driver: offlineDriver(sqliteDriver(…)) }) (or a layer over it: protect(offlineDriver(…), …)).',
    );
  }
  const { driver, layers } = layered;
  const server = serverOf(options.server);
  let remote = options.remote;
  let scope: GroupScope | undefined;
  if (remote === undefined && server?.pull !== undefined) {
    const groupOf = options.group;
    if (typeof groupOf !== 'function') {
      throw invalidArgument(
        'A replica reading through its server needs `group`: the group of a stream id, as the server has it.',
      );
    }
    const link = server as PullingLink;
    scope = new GroupScope(link, groupOf);
    const held = scope;
    remote = throughServer(link, () => held.ready());
  }
  if (remote === undefined || typeof remote.append !== 'function') {
    throw invalidArgument(
      'startSync needs `remote`: the shared log, e.g. await jetstreamLedger() (or, in server mode, a link that reads through the server and `group`).',
    );
  }
  return {
    app,
    replica,
    driver,
    ledger: driver.ledger,
    replicated: through(layers, driver.local.ledger),
    own: replica.driver.ledger,
    layers,
    store: driver.store,
    remote,
    pageSize: wholeNumber('pageSize', options.pageSize ?? 1000),
    window: wholeNumber('pushWindow', options.pushWindow ?? 256),
    server,
    tell: (conflict) => quietly(options.onConflict, conflict),
    scope,
  };
}

/**
 * Starts syncing `app` (built on {@link offlineDriver}) with a shared log. Call `run()` for one
 * round, or `start()` for background rounds; `stop()` before closing the app.
 */
export function startSync(app: Whizbang<any, any>, options: StartSyncOptions): Sync {
  const parts = partsOf(app, options);
  const rebase = new Rebase(parts);
  const round = async (): Promise<SyncReport> => {
    quietly(options.onRoundStart, undefined);
    const report: Counts = { pulled: 0, pushed: 0, confirmed: 0, redecided: 0, conflicts: 0 };
    // keys forgotten elsewhere are dropped here first: what is pulled next reads redacted
    if (parts.layers.length > 0) await catchUp(parts, report, () => rebase.due());
    for (let attempt = 0; ; attempt++) {
      // by group: the scope as the server has it now comes first (a share fills, an unshare drops)
      await parts.scope?.step(parts, report, () => rebase.due());
      try {
        await pull(parts, report, () => rebase.due());
      } catch (error) {
        // a group left the scope between the step and the pull: the next attempt drops it
        if (parts.scope === undefined || !isWhizbangError(error, 'FORBIDDEN')) throw error;
        if (attempt >= MAX_ATTEMPTS) throw error;
        continue;
      }
      await rebase.settle(report);
      if (parts.server !== undefined) {
        // what the server decided is in the log: the next pull confirms it or replaces the tail
        let moved = false;
        const displaced = (): void => {
          moved = true;
          rebase.due();
        };
        if ((await pushToServer(parts, parts.server, report, displaced)) === 0 && !moved) {
          return report;
        }
      } else if (await push(parts, report, () => rebase.due())) return report;
      if (attempt >= MAX_ATTEMPTS) {
        throw new WhizbangError(
          'UNAVAILABLE',
          `Other writers kept moving the same streams through ${MAX_ATTEMPTS} sync attempts; try again.`,
        );
      }
    }
  };
  let running: Promise<SyncReport> | undefined;
  const run = (): Promise<SyncReport> => {
    const previous = running ?? Promise.resolve(undefined);
    const next = previous.then(round, round).then((report) => {
      quietly(options.onRound, report);
      return report;
    });
    running = next;
    void next
      .finally(() => {
        if (running === next) running = undefined;
      })
      .catch(() => undefined);
    return next;
  };
  const background = new Background(
    run,
    (error) => quietly(options.onError, error),
    options.intervalMs ?? 5000,
  );
  const { driver } = parts;
  return {
    run,
    start: () => background.start([parts.ledger, parts.remote]),
    async stop() {
      await background.stop();
      await running?.catch(() => undefined);
    },
    pending: () => driver.pending(),
    conflicts: driver.conflicts,
    dismiss: (id) => driver.dismiss(id),
    cursor: async () => (await readCursor(parts.store)).position,
  };
}
