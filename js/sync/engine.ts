/**
 * Offline-first sync between an app's local ledger (built on {@link offlineDriver}) and a shared
 * log (the JetStream ledger, or any Ledger).
 *
 * A round pulls, then pushes:
 * - **Pull**: takes the shared log's events after the cursor, stream run by stream run. Events this
 *   replica holds already are skipped; its own pending commits, found in the log (a push whose
 *   answer was lost), become confirmed; others' events are appended with the cursor in one local
 *   transaction. When others' events land on versions a pending commit holds locally, the stream's
 *   pending tail is replaced by them (same transaction, the pending commits marked `rebasing`),
 *   perspectives are rebuilt, and each displaced command is decided again by its receptor on the
 *   new state: its new events become a new pending commit, or, when the receptor now refuses, the
 *   conflict is recorded and reported. Nothing is dropped silently.
 * - **Push**: each pending commit, in local order, to the shared log expecting the stream at the
 *   version it was decided on, with its id as the commit id (a repeated push lands once). A stale
 *   expectation ends the push; the next pull brings the other writer's events.
 *
 * A crash at any point leaves a replica that starts: every step is one local transaction, and the
 * next round carries on from what was written (a rebuild or a decision interrupted is redone).
 */

import type { Ledger, NewEvent, RecordedEvent } from '../contracts/ledger.ts';
import type { PerspectiveStore, StoreWriter } from '../contracts/store.ts';
import { createEnvelope, type Envelope } from '../messages/envelope.ts';
import type { Command } from '../messages/message.ts';
import { runtimes } from '../runtime/app.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { Lens, Whizbang } from '../runtime/types.ts';
import {
  invalidArgument,
  isConcurrencyError,
  isWhizbangError,
  WhizbangError,
} from '../util/errors.ts';
import { isOfflineDriver } from './driver.ts';
import {
  CONFLICTS,
  getCursor,
  PENDING,
  type PendingCommit,
  putCursor,
  row,
  SYNC_TENANT,
  type SyncConflict,
  type SyncCursor,
  toNew,
} from './records.ts';

/** Options of {@link startSync}. */
export interface StartSyncOptions {
  /** The shared log: `await jetstreamLedger({ servers, prefix })`. */
  readonly remote: Ledger;
  /** Events read from the shared log per request (default 1000). */
  readonly pageSize?: number;
  /** Pending commits pushed at once (default 256): the shared log keeps each stream's order. */
  readonly pushWindow?: number;
  /** Told of each local commit that could not be kept (also listed by `conflicts`). */
  readonly onConflict?: (conflict: SyncConflict) => void;
  /** Told when a background round fails (offline, say); the next round retries. */
  readonly onError?: (error: unknown) => void;
  /** Told what each round did (background rounds and `run()` alike), after it ends. */
  readonly onRound?: (report: SyncReport) => void;
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

const RUN_KEYS = (e: RecordedEvent): string => `${e.tenant}\u0000${e.streamId}`;

function corrupt(message: string): WhizbangError {
  return new WhizbangError(
    'CORRUPT_DATA',
    `${message} The local replica no longer matches the shared log; start a new replica (a new local database) and sync it.`,
  );
}

/**
 * Starts syncing `app` (built on {@link offlineDriver}) with a shared log. Call `run()` for one
 * round, or `start()` for background rounds; `stop()` before closing the app.
 */
export function startSync(app: Whizbang<any, any>, options: StartSyncOptions): Sync {
  const runtime: Runtime | undefined = runtimes.get(app);
  if (runtime === undefined) throw invalidArgument('startSync needs an app made by build().');
  if (!isOfflineDriver(runtime.driver)) {
    throw invalidArgument(
      'startSync needs an app built on offlineDriver(yourDriver), so that local commits are kept as pending: whizbang(name, { driver: offlineDriver(sqliteDriver(…)) }).',
    );
  }
  const remote = options.remote;
  if (remote === undefined || typeof remote.append !== 'function') {
    throw invalidArgument(
      'startSync needs `remote`: the shared log, e.g. await jetstreamLedger().',
    );
  }
  const pageSize = options.pageSize ?? 1000;
  if (!Number.isSafeInteger(pageSize) || pageSize < 1) {
    throw invalidArgument(`pageSize must be a whole number ≥ 1, got ${pageSize}.`);
  }
  const intervalMs = options.intervalMs ?? 5000;
  const window = options.pushWindow ?? 256;
  if (!Number.isSafeInteger(window) || window < 1) {
    throw invalidArgument(`pushWindow must be a whole number ≥ 1, got ${window}.`);
  }
  const ledger = runtime.driver.ledger;
  const store: PerspectiveStore = runtime.driver.store;

  /** Whether displaced commits may wait to be decided again (always so after a start). */
  let displaced = true;

  const readCursor = async (): Promise<SyncCursor> => {
    const stored = await getCursor(store);
    return (stored?.model as SyncCursor | undefined) ?? { position: 0, rebuild: false };
  };
  const pendingList = async (where: Record<string, string> = {}): Promise<PendingCommit[]> => {
    const rows = await store.query(PENDING, SYNC_TENANT, { where, orderBy: { seq: 'asc' } });
    return rows.map((r) => r.model as PendingCommit);
  };

  const tell = (conflict: SyncConflict): void => {
    try {
      options.onConflict?.(conflict);
    } catch {
      // a reporting hook never changes the outcome
    }
  };

  /** Takes one run of the shared log's events of one stream. */
  const apply = async (
    run: RecordedEvent[],
    cursor: SyncCursor,
    waiting: Map<string, PendingCommit[]>,
    report: Counts,
  ): Promise<SyncCursor> => {
    const { tenant, streamId } = run[0]!;
    const last = run[run.length - 1]!.position;
    const key = RUN_KEYS(run[0]!);
    const local = await ledger.streamVersion(streamId, { tenant });
    const pending = waiting.get(key) ?? [];
    let confirmed = local;
    for (const p of pending) confirmed -= p.count;
    let k = 0;
    // events this replica holds already (its own, pushed in an earlier round)
    if (run[0]!.version <= confirmed) {
      const upTo = Math.min(confirmed, run[run.length - 1]!.version);
      const here = await ledger.readStream(streamId, { tenant, from: run[0]!.version, to: upTo });
      for (const e of here) {
        const theirs = run[k];
        if (theirs === undefined || theirs.version !== e.version) break;
        if (theirs.messageId !== e.messageId) {
          throw corrupt(
            `Version ${e.version} of stream "${streamId}" is event ${e.messageId} here but ${theirs.messageId} in the shared log.`,
          );
        }
        k++;
      }
    }
    // its own pending commits, which a push put there without this replica hearing back
    while (k < run.length && pending.length > 0 && run[k]!.messageId === pending[0]!.eventIds[0]) {
      const commit = pending.shift()!;
      const ids = run.slice(k, k + commit.count).map((e) => e.messageId);
      if (ids.length !== commit.count || ids.some((id, i) => id !== commit.eventIds[i])) {
        throw corrupt(
          `Pending commit ${commit.id} of stream "${streamId}" is only partly in the shared log.`,
        );
      }
      k += commit.count;
      confirmed += commit.count;
      const at = run[k - 1]!.position;
      cursor = { ...cursor, position: at };
      const next = cursor;
      await store.transaction((tx) =>
        chainAll(tx.delete(PENDING, SYNC_TENANT, commit.id), putCursor(tx, next)),
      );
      report.confirmed++;
    }
    if (pending.length === 0) waiting.delete(key);
    if (k === run.length) {
      if (cursor.position < last) {
        cursor = { ...cursor, position: last };
        const next = cursor;
        await store.transaction((tx) => putCursor(tx, next));
      }
      return cursor;
    }
    const rest = run.slice(k);
    if (rest[0]!.version !== confirmed + 1) {
      throw corrupt(
        `The shared log's stream "${streamId}" goes on at version ${rest[0]!.version}, but this replica holds it to version ${confirmed}.`,
      );
    }
    const events = rest.map(toNew);
    report.pulled += rest.length;
    if (pending.length === 0) {
      const next: SyncCursor = { ...cursor, position: last };
      await runtime.appendPulled(streamId, events, tenant, confirmed, (_, tx) =>
        putCursor(tx, next),
      );
      return next;
    }
    // another writer got there first: its events replace this stream's pending tail
    waiting.delete(key);
    displaced = true;
    // the perspectives of the types that go and come are rebuilt (after a crash too)
    const gone = await ledger.readStream(streamId, { tenant, from: confirmed + 1 });
    const types = new Set([...gone, ...rest].map((e) => e.type));
    const before = cursor.rebuild ? cursor.rebuildTypes : [];
    const next: SyncCursor = {
      position: last,
      rebuild: true,
      ...(before === undefined ? {} : { rebuildTypes: [...new Set([...before, ...types])] }),
    };
    await runtime.appendPulled(
      streamId,
      events,
      tenant,
      confirmed,
      (_, tx) =>
        chainAll(
          ...pending.map((p) => tx.put(PENDING, row(p.id, { ...p, state: 'rebasing' }, p.seq))),
          putCursor(tx, next),
        ),
      confirmed,
    );
    await runtime.rewound(tenant, streamId);
    return next;
  };

  /** The shared log from a position to its head, page by page. */
  async function* pages(from: number): AsyncIterable<RecordedEvent[]> {
    if (remote.readAllBatches !== undefined) {
      yield* remote.readAllBatches({ from, batch: pageSize });
      return;
    }
    for (;;) {
      const page = await remote.readAll({ from, limit: pageSize });
      if (page.length === 0) return;
      yield page;
      from = page[page.length - 1]!.position + 1;
    }
  }

  const pull = async (report: Counts): Promise<void> => {
    let cursor = await readCursor();
    // this replica's pending commits by stream (those displaced already hold no events here)
    const waiting = new Map<string, PendingCommit[]>();
    for (const p of await pendingList({ state: 'pending' })) {
      const key = `${p.tenant}\u0000${p.streamId}`;
      const list = waiting.get(key);
      if (list === undefined) waiting.set(key, [p]);
      else list.push(p);
    }
    // runs that simply go on a stream are written together, a page per local transaction
    let batch: PulledRun[] = [];
    const inBatch = new Set<string>();
    let through = cursor.position;
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const next: SyncCursor = { ...cursor, position: through };
      await runtime.appendPulledBatch(batch, (_, tx) => putCursor(tx, next));
      cursor = next;
      batch = [];
      inBatch.clear();
    };
    for await (const page of pages(cursor.position + 1)) {
      let i = 0;
      while (i < page.length) {
        const key = RUN_KEYS(page[i]!);
        let j = i + 1;
        while (j < page.length && RUN_KEYS(page[j]!) === key) j++;
        const run = page.slice(i, j);
        i = j;
        const first = run[0]!;
        if (!waiting.has(key)) {
          if (inBatch.has(key)) await flush();
          const local = await ledger.streamVersion(first.streamId, { tenant: first.tenant });
          if (first.version === local + 1) {
            batch.push({
              streamId: first.streamId,
              tenant: first.tenant,
              events: run.map(toNew),
              expectedVersion: local,
            });
            inBatch.add(key);
            through = run[run.length - 1]!.position;
            report.pulled += run.length;
            continue;
          }
        }
        await flush();
        cursor = await apply(run, cursor, waiting, report);
        through = cursor.position;
      }
      await flush();
    }
  };

  /** Rebuilds perspectives after a replacement, then decides displaced commands again. */
  const settleRebase = async (report: Counts): Promise<void> => {
    if (!displaced) return;
    const cursor = await readCursor();
    if (cursor.rebuild) {
      const types = cursor.rebuildTypes;
      for (const p of app.perspectives.values()) {
        if (types === undefined || types.some((t) => p.types.has(t))) await app.rebuild(p);
      }
      await store.transaction((tx) => putCursor(tx, { position: cursor.position, rebuild: false }));
    }
    for (const commit of await pendingList({ state: 'rebasing' })) {
      await decideAgain(commit, report);
    }
    displaced = false;
  };

  const decideAgain = async (commit: PendingCommit, report: Counts): Promise<void> => {
    let failure: unknown;
    try {
      if (commit.command !== undefined) {
        const c = commit.command;
        const envelope = createEnvelope(
          { kind: 'command', type: c.type, data: c.data } as Command,
          {
            messageId: c.messageId,
            correlationId: c.correlationId,
            causationId: c.causationId,
            tenant: commit.tenant,
          },
        ) as Envelope<Command>;
        const outcome = await runtime.decideAgain(envelope, commit.id);
        if (outcome.append === undefined || outcome.append.events.length === 0) {
          // decided again to do nothing: the pending commit goes, nothing to push
          await store.transaction((tx) => tx.delete(PENDING, SYNC_TENANT, commit.id));
        }
        report.redecided++;
        return;
      }
      if (commit.expected === 'any' && commit.events !== undefined) {
        await ledger.append(commit.streamId, commit.events, {
          expectedVersion: 'any',
          tenant: commit.tenant,
          sync: { replaces: commit.id },
        });
        report.redecided++;
        return;
      }
      failure = new WhizbangError(
        'CONCURRENCY_CONFLICT',
        `Events published to "${commit.streamId}" expecting version ${String(commit.expected)} were displaced by another writer's.`,
      );
    } catch (error) {
      failure = error;
    }
    const remoteVersion = await remote.streamVersion(commit.streamId, { tenant: commit.tenant });
    const conflict: SyncConflict = {
      id: commit.id,
      streamId: commit.streamId,
      tenant: commit.tenant,
      ...(commit.command === undefined ? {} : { command: commit.command }),
      ...(commit.events === undefined ? {} : { events: commit.events }),
      remoteVersion,
      code: isWhizbangError(failure) ? failure.code : 'HANDLER_FAILED',
      message: failure instanceof Error ? failure.message : String(failure),
      at: Date.now(),
    };
    await store.transaction((tx) =>
      chainAll(
        tx.delete(PENDING, SYNC_TENANT, commit.id),
        tx.put(CONFLICTS, row(commit.id, conflict)),
      ),
    );
    report.conflicts++;
    tell(conflict);
  };

  /**
   * Pushes pending commits in order, up to `window` in flight (the shared log keeps each stream's
   * order: a commit expects the version the one before it makes); false when another writer got
   * to a stream first. What landed is written down before anything is thrown.
   */
  const push = async (report: Counts): Promise<boolean> => {
    const list = await pendingList({ state: 'pending' });
    for (let i = 0; i < list.length; i += window) {
      const batch = list.slice(i, i + window);
      // the window's events, read at once: a commit's events hold consecutive local positions
      const first = batch[0]!.seq;
      let last = first;
      for (const c of batch) last = Math.max(last, c.seq + c.count - 1);
      const here = new Map<number, RecordedEvent>();
      for (const e of await ledger.readAll({ from: first, to: last })) here.set(e.position, e);
      const sent = batch.map((commit) => {
        const events: RecordedEvent[] = [];
        for (let k = 0; k < commit.count; k++) {
          const e = here.get(commit.seq + k);
          if (
            e === undefined ||
            e.messageId !== commit.eventIds[k] ||
            e.streamId !== commit.streamId ||
            e.tenant !== commit.tenant
          ) {
            return Promise.reject(
              corrupt(
                `Pending commit ${commit.id} of stream "${commit.streamId}" is not in the local ledger as recorded.`,
              ),
            );
          }
          events.push(e);
        }
        return remote.append(commit.streamId, events.map(toNew), {
          expectedVersion: commit.decidedOn,
          tenant: commit.tenant,
          sync: { commitId: commit.id },
        });
      });
      const results = await Promise.allSettled(sent);
      const landed: Array<{ readonly commit: PendingCommit; readonly at: number }> = [];
      let conflict = false;
      let failure: unknown;
      results.forEach((r, k) => {
        if (r.status === 'fulfilled') landed.push({ commit: batch[k]!, at: r.value.position });
        else if (isConcurrencyError(r.reason)) conflict = true;
        else failure ??= r.reason;
      });
      if (landed.length > 0) {
        await store.transaction(async (tx: StoreWriter) => {
          const cursor = ((await getCursor(tx))?.model as SyncCursor | undefined) ?? {
            position: 0,
            rebuild: false,
          };
          for (const { commit } of landed) await tx.delete(PENDING, SYNC_TENANT, commit.id);
          // the cursor moves over them only where nothing of another writer's lies between
          let position = cursor.position;
          for (const { commit, at } of [...landed].sort((x, y) => x.at - y.at)) {
            if (at - commit.count === position) position = at;
          }
          if (position !== cursor.position) await putCursor(tx, { ...cursor, position });
        });
        report.pushed += landed.length;
      }
      if (failure !== undefined) throw failure;
      if (conflict) return false;
    }
    return true;
  };

  let running: Promise<SyncReport> | undefined;
  const round = async (): Promise<SyncReport> => {
    const report: Counts = { pulled: 0, pushed: 0, confirmed: 0, redecided: 0, conflicts: 0 };
    for (let attempt = 0; ; attempt++) {
      await pull(report);
      await settleRebase(report);
      if (await push(report)) return report;
      if (attempt >= 100) {
        throw new WhizbangError(
          'UNAVAILABLE',
          'Other writers kept moving the same streams through 100 sync attempts; try again.',
        );
      }
    }
  };
  const run = (): Promise<SyncReport> => {
    const previous = running ?? Promise.resolve(undefined);
    const next = previous.then(round, round).then((report) => {
      try {
        options.onRound?.(report);
      } catch {
        // a reporting hook never changes the outcome
      }
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

  // background rounds
  let started = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unwatch: Array<() => void> = [];
  let wanted = false;
  let loop: Promise<void> | undefined;
  const kick = (): void => {
    if (!started) return;
    wanted = true;
    loop ??= (async () => {
      while (started && wanted) {
        wanted = false;
        try {
          await run();
        } catch (error) {
          try {
            options.onError?.(error);
          } catch {
            // a reporting hook never changes the outcome
          }
        }
      }
    })().finally(() => {
      loop = undefined;
    });
  };
  const tick = (): void => {
    kick();
    timer = setTimeout(tick, intervalMs);
    (timer as { unref?: () => void }).unref?.();
  };

  return {
    run,
    start() {
      if (started) return;
      started = true;
      unwatch = [ledger.watch(kick), remote.watch(kick)];
      tick();
    },
    async stop() {
      started = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const u of unwatch) u();
      unwatch = [];
      await loop;
      await running?.catch(() => undefined);
    },
    pending: () => pendingList(),
    conflicts: {
      get: async (id) =>
        (await store.get(CONFLICTS, SYNC_TENANT, id))?.model as SyncConflict | undefined,
      query: async (q = {}) => {
        const { tenant: _ignored, ...query } = q;
        const rows = await store.query(CONFLICTS, SYNC_TENANT, query);
        return rows.map((r) => r.model as SyncConflict);
      },
    },
    dismiss: async (id) => {
      await store.transaction((tx) => tx.delete(CONFLICTS, SYNC_TENANT, id));
    },
    cursor: async () => (await readCursor()).position,
  };
}

interface PulledRun {
  readonly streamId: string;
  readonly tenant: string;
  readonly events: readonly NewEvent[];
  readonly expectedVersion: number;
}

interface Counts {
  pulled: number;
  pushed: number;
  confirmed: number;
  redecided: number;
  conflicts: number;
}

/** Waits for each of several maybe-promises (requests of one transaction). */
function chainAll(...steps: unknown[]): Promise<void> | undefined {
  return steps.some((s) => s instanceof Promise)
    ? Promise.all(steps).then(() => undefined)
    : undefined;
}
