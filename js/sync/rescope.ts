/**
 * The scope step of a round, for a replica reading through its server by stream group: it asks the
 * server for its scope now and compares it with the groups it holds. A group that came in is
 * filled — its whole history, up to the cursor, page by page, each page with the group's own
 * cursor in one local transaction — before the round's pull reads it with the others. A group
 * that went out is dropped: its streams' events leave the local ledger, the perspectives of their
 * types are rebuilt without them, and the pending commits on them become `FORBIDDEN` conflicts
 * (the server would refuse them now). Both are redone after a crash.
 */
import type { RecordedEvent } from '../contracts/ledger.ts';
import type { StoreWriter } from '../contracts/store.ts';
import type { ReplicatedRun } from '../runtime/replica.ts';
import type { MaybePromise } from '../util/maybe.ts';
import { gateOf } from './driver.ts';
import { type Counts, chainAll, pendingList, readCursor, type SyncParts } from './parts.ts';
import {
  CONFLICTS,
  PENDING,
  putCursor,
  row,
  SYNC_TENANT,
  type SyncConflict,
  type SyncCursor,
  toNew,
} from './records.ts';
import { recover } from './recover.ts';
import { type PullingLink, pullOn } from './through-server.ts';

const SCOPE = 'whizbang.sync.scope';
const SCOPE_ID = 'groups';

/** The groups a replica holds: each filled up to `through` (a position), `ready` once complete. */
export interface ScopeState {
  readonly groups: Readonly<Record<string, { readonly through: number; readonly ready: boolean }>>;
}

/** The groups a replica holds, as stored. */
async function readScope(parts: SyncParts): Promise<ScopeState> {
  const stored = await parts.store.get(SCOPE, SYNC_TENANT, SCOPE_ID);
  return (stored?.model as ScopeState | undefined) ?? { groups: {} };
}

function putScope(tx: StoreWriter, state: ScopeState): MaybePromise<void> {
  return tx.put(SCOPE, row(SCOPE_ID, state));
}

/** The groups a pull may read: those held in full. */
function readyGroups(state: ScopeState): string[] {
  return Object.entries(state.groups)
    .filter(([, g]) => g.ready)
    .map(([name]) => name);
}

/** What the scope step works with. */
interface Scoping {
  readonly link: PullingLink;
  readonly groupOf: (streamId: string) => string | undefined;
  /** Told when perspectives must be rebuilt or pending commits decided again. */
  readonly displaced: () => void;
}

/** A replica's groups: the scope step of each round, and the groups its pulls may read. */
export class GroupScope {
  readonly #link: PullingLink;
  readonly #groupOf: (streamId: string) => string | undefined;
  #ready: readonly string[] = [];

  constructor(link: PullingLink, groupOf: (streamId: string) => string | undefined) {
    this.#link = link;
    this.#groupOf = groupOf;
  }

  /** The groups held in full, as the last scope step left them. */
  ready(): readonly string[] {
    return this.#ready;
  }

  /** Brings the replica's groups to the server's scope now (see the module note). */
  async step(parts: SyncParts, report: Counts, displaced: () => void): Promise<void> {
    this.#ready = await rescope(
      parts,
      { link: this.#link, groupOf: this.#groupOf, displaced },
      report,
    );
  }
}

/** Brings the replica's groups to the server's scope now; returns the groups a pull may read. */
async function rescope(parts: SyncParts, scoping: Scoping, report: Counts): Promise<string[]> {
  const answer = await pullOn(scoping.link, { pull: 'scope' });
  const now = new Set(answer.status === 'scope' ? answer.groups : []);
  let state = await readScope(parts);
  for (const group of Object.keys(state.groups)) {
    if (!now.has(group)) state = await drop(parts, scoping, group, report);
  }
  const added = [...now].filter((g) => !Object.hasOwn(state.groups, g));
  if (added.length > 0) {
    const groups = { ...state.groups };
    for (const g of added) groups[g] = { through: 0, ready: false };
    state = { groups };
    const next = state;
    await parts.store.transaction((tx) => putScope(tx, next));
  }
  const { position } = await readCursor(parts.store);
  for (const [group, held] of Object.entries(state.groups)) {
    if (!held.ready) state = await fill(parts, scoping, group, position, report);
  }
  return readyGroups(state);
}

/** Reads a group's history up to `to` (the cursor: the pull goes on from there) into the replica. */
async function fill(
  parts: SyncParts,
  scoping: Scoping,
  group: string,
  to: number,
  report: Counts,
): Promise<ScopeState> {
  for (;;) {
    const state = await readScope(parts);
    const through = state.groups[group]?.through ?? 0;
    const answer =
      through >= to
        ? undefined
        : await pullOn(scoping.link, {
            pull: 'groups',
            groups: [group],
            from: through + 1,
            to,
            limit: parts.pageSize,
          });
    const page = answer?.status === 'events' ? answer.events : [];
    const done = page.length === 0 || answer?.status !== 'events' || answer.more !== true;
    const last = done ? to : page[page.length - 1]!.position;
    const next: ScopeState = {
      groups: { ...state.groups, [group]: { through: last, ready: done } },
    };
    await gateOf(parts.driver).exclusive(() => take(parts, scoping, page, next, report));
    if (done) return next;
  }
}

/** Appends a page of a group's history: streams that go on simply, the others rebuilt from the log. */
async function take(
  parts: SyncParts,
  scoping: Scoping,
  page: readonly RecordedEvent[],
  next: ScopeState,
  report: Counts,
): Promise<void> {
  const pending = new Set(
    (await pendingList(parts.store)).map((p) => `${p.tenant}\u0000${p.streamId}`),
  );
  const runs = new Map<string, RecordedEvent[]>();
  for (const e of page) {
    const key = `${e.tenant}\u0000${e.streamId}`;
    const run = runs.get(key);
    if (run === undefined) runs.set(key, [e]);
    else run.push(e);
  }
  const batch: ReplicatedRun[] = [];
  const rebuilt: RecordedEvent[] = [];
  for (const [key, run] of runs) {
    const { tenant, streamId } = run[0]!;
    const local = await parts.ledger.streamVersion(streamId, { tenant });
    if (!pending.has(key) && run[0]!.version === local + 1) {
      batch.push({ streamId, tenant, events: run.map(toNew), expectedVersion: local });
    } else if (run.at(-1)!.version > local || pending.has(key)) rebuilt.push(run[0]!);
  }
  // a stream held in part (its commits pending, say) is taken whole from the log, before the
  // group's cursor moves past it
  for (const { tenant, streamId } of rebuilt) {
    const cursor = await readCursor(parts.store);
    await recover(parts, tenant, streamId, cursor, cursor.position);
    scoping.displaced();
  }
  report.pulled += batch.reduce((n, run) => n + run.events.length, 0);
  if (batch.length === 0) await parts.store.transaction((tx) => putScope(tx, next));
  else {
    await parts.replica.appendReplicated(parts.replicated, batch, (_, tx) => putScope(tx, next));
  }
}

/** Drops a group that left the scope: its streams, their models, its pending commits (conflicts). */
async function drop(
  parts: SyncParts,
  scoping: Scoping,
  group: string,
  report: Counts,
): Promise<ScopeState> {
  return gateOf(parts.driver).exclusive(async () => {
    const streams = new Map<string, { tenant: string; streamId: string }>();
    const types = new Set<string>();
    const ours = (streamId: string): boolean => scoping.groupOf(streamId) === group;
    for (const e of await parts.ledger.readAll()) {
      if (!ours(e.streamId)) continue;
      streams.set(`${e.tenant}\u0000${e.streamId}`, { tenant: e.tenant, streamId: e.streamId });
      types.add(e.type);
    }
    const pending = (await pendingList(parts.store)).filter((p) => ours(p.streamId));
    const state = await readScope(parts);
    const { [group]: _gone, ...kept } = state.groups;
    const after: ScopeState = { groups: kept };
    const conflicts: SyncConflict[] = pending.map((p) => ({
      id: p.id,
      streamId: p.streamId,
      tenant: p.tenant,
      ...(p.command === undefined ? {} : { command: p.command }),
      ...(p.events === undefined ? {} : { events: p.events }),
      remoteVersion: 0,
      code: 'FORBIDDEN',
      message: `Stream "${p.streamId}" left this replica's scope (group "${group}") before this commit reached the server.`,
      at: Date.now(),
    }));
    const cursor = await readCursor(parts.store);
    const before = cursor.rebuild ? cursor.rebuildTypes : [];
    const next: SyncCursor = {
      position: cursor.position,
      rebuild: streams.size > 0 || cursor.rebuild,
      ...(before === undefined ? {} : { rebuildTypes: [...new Set([...before, ...types])] }),
    };
    // the conflicts and the rebuild are written first: a crash before the streams go finds the
    // group still held, and drops its streams again
    await parts.store.transaction((tx) =>
      chainAll(
        ...conflicts.flatMap((c) => [
          tx.delete(PENDING, SYNC_TENANT, c.id),
          tx.put(CONFLICTS, row(c.id, c)),
        ]),
        putCursor(tx, next),
      ),
    );
    for (const c of conflicts) {
      report.conflicts++;
      parts.tell(c);
    }
    for (const { tenant, streamId } of streams.values()) {
      await parts.replica.replaceTail(
        parts.replicated,
        { streamId, tenant, events: [], expectedVersion: 'any', after: 0 },
        () => undefined,
      );
      gateOf(parts.driver).rewound(`${tenant}\u0000${streamId}`);
      await parts.replica.rewound(tenant, streamId);
    }
    await parts.store.transaction((tx) => putScope(tx, after));
    if (streams.size > 0) scoping.displaced();
    return after;
  });
}
