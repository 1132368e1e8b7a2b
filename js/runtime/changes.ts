/**
 * What committed transactions changed in the perspective store, for live lenses. While a live
 * lens is open, a transaction's model writes are recorded by perspective and key and told once it
 * has committed: one change set per transaction, never per event. Changes made elsewhere (another
 * tab, another process) come from the store's optional `watch`, or from `ledger.watch` when the
 * store has none; those say at most which perspectives changed.
 */
import type { Ledger } from '../contracts/ledger.ts';
import type { PerspectiveStore, StoreChange, StoreWriter } from '../contracts/store.ts';
import { WhizbangError } from '../util/errors.ts';
import { platform, type Timer } from '../util/platform.ts';
import type { InTransaction } from './flow.ts';

/** One model written by a transaction: its key, and its new value (`undefined` once deleted). */
export interface ModelChange {
  readonly tenant: string;
  readonly id: string;
  readonly model: unknown;
}

/** One perspective's part of a change set: the models written, or `'all'` when not known. */
export type Touched = readonly ModelChange[] | 'all';

/** A live lens, as the hub sees it. */
export interface ChangeWatcher {
  changed(touched: Touched): void;
  stop(): void;
}

/** The model writes of one transaction, by perspective. */
export class Recorder {
  readonly byPerspective = new Map<string, ModelChange[]>();

  #note(perspective: string, change: ModelChange): void {
    const list = this.byPerspective.get(perspective);
    if (list === undefined) this.byPerspective.set(perspective, [change]);
    else list.push(change);
  }

  /** `tx`, with its puts and deletes recorded. */
  writer(tx: StoreWriter): StoreWriter {
    const writer: StoreWriter = {
      get: (p, tenant, id) => tx.get(p, tenant, id),
      put: (p, row) => {
        this.#note(p, { tenant: row.tenant, id: row.id, model: row.model });
        return tx.put(p, row);
      },
      delete: (p, tenant, id) => {
        this.#note(p, { tenant, id, model: undefined });
        return tx.delete(p, tenant, id);
      },
      setCheckpoint: (p, position) => tx.setCheckpoint(p, position),
    };
    return tx.outbox === undefined ? writer : { ...writer, outbox: tx.outbox };
  }
}

/** Positions of this store's own commits remembered, to know their notices from other writers'. */
const OWN_POSITIONS = 1024;

/** The apps on one store object (one connection): each hears the others' change sets. */
interface Group {
  readonly hubs: Set<Changes>;
  readonly own: Set<number>;
}
const groups = new WeakMap<PerspectiveStore, Group>();

/** The live lenses of one app and the changes they hear of. */
export class Changes {
  readonly #watchers = new Map<string, Set<ChangeWatcher>>();
  readonly #store: PerspectiveStore;
  readonly #ledger: Ledger;
  readonly #group: Group;
  #count = 0;
  #unwatch: (() => void) | undefined;
  readonly #pending: StoreChange[] = [];
  #timer: Timer | undefined;
  #head = -1;
  #closed = false;

  constructor(store: PerspectiveStore, ledger: Ledger) {
    this.#store = store;
    this.#ledger = ledger;
    let group = groups.get(store);
    if (group === undefined) {
      group = { hubs: new Set(), own: new Set() };
      groups.set(store, group);
    }
    this.#group = group;
  }

  /** True while a live lens is open: only then are writes recorded. */
  get active(): boolean {
    return this.#count > 0;
  }

  /** A recorder for one transaction while a live lens (of any app on this store) is open. */
  recorder(): Recorder | undefined {
    if (this.#count > 0) return new Recorder();
    for (const hub of this.#group.hubs) if (hub.#count > 0) return new Recorder();
    return undefined;
  }

  /** `work` with its writes recorded into `recorder`. */
  static track(work: InTransaction | undefined, recorder: Recorder): InTransaction | undefined {
    if (work === undefined) return undefined;
    return (recorded, tx) => work(recorded, recorder.writer(tx));
  }

  /** After a commit: its change set goes to the lenses of the perspectives it wrote. */
  committed(recorder: Recorder | undefined, position?: number): void {
    if (position !== undefined && position > 0) this.own(position);
    if (recorder === undefined) return;
    for (const hub of this.#group.hubs) {
      for (const [perspective, list] of recorder.byPerspective) {
        for (const w of hub.#watchers.get(perspective) ?? []) w.changed(list);
      }
    }
  }

  /** A commit through this store at `position`: a notice of it is not another writer's. */
  own(position: number): void {
    if (this.#group.hubs.size === 0) return;
    const own = this.#group.own;
    own.add(position);
    if (own.size > OWN_POSITIONS) own.delete(own.values().next().value!);
  }

  /** Every model of `perspective` may have changed (a rebuild), in every app on this store. */
  all(perspective: string): void {
    for (const hub of this.#group.hubs) hub.#all(perspective);
  }

  #all(perspective: string): void {
    for (const w of this.#watchers.get(perspective) ?? []) w.changed('all');
  }

  /** Adds a live lens of `perspective`; returns its removal. */
  add(perspective: string, watcher: ChangeWatcher): () => void {
    if (this.#closed)
      throw new WhizbangError('CLOSED', 'The app is closed; build a new one to watch its lenses.');
    let set = this.#watchers.get(perspective);
    if (set === undefined) {
      set = new Set();
      this.#watchers.set(perspective, set);
    }
    set.add(watcher);
    if (this.#count++ === 0) {
      this.#group.hubs.add(this);
      this.#listen();
    }
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      watcher.stop();
      set.delete(watcher);
      if (set.size === 0 && this.#watchers.get(perspective) === set)
        this.#watchers.delete(perspective);
      if (--this.#count === 0) this.#quiet();
    };
  }

  /** Stops every live lens and what listens for other writers. */
  close(): void {
    this.#closed = true;
    for (const set of this.#watchers.values()) for (const w of set) w.stop();
    this.#watchers.clear();
    this.#count = 0;
    this.#quiet();
  }

  #listen(): void {
    const watch = this.#store.watch;
    if (watch !== undefined) {
      this.#unwatch = watch.call(this.#store, (change) => this.#heard(change));
      return;
    }
    // a store that cannot tell: a ledger head this app did not write means another writer's commit
    this.#head = -1;
    Promise.resolve(this.#ledger.headPosition()).then(
      (head) => {
        if (this.#head === -1) this.#head = head;
      },
      () => undefined,
    );
    this.#unwatch = this.#ledger.watch(() => {
      Promise.resolve(this.#ledger.headPosition()).then(
        (head) => {
          const before = this.#head;
          this.#head = head;
          if (before !== -1 && head !== before && !this.#group.own.has(head)) this.#heard({});
        },
        () => undefined, // the next notice reads it again
      );
    });
  }

  #quiet(): void {
    this.#group.hubs.delete(this);
    if (this.#group.hubs.size === 0) this.#group.own.clear();
    this.#unwatch?.();
    this.#unwatch = undefined;
    if (this.#timer !== undefined) platform.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.length = 0;
  }

  /**
   * Another writer's change: told on a later task, so a burst of notices is one change set, and a
   * notice of this store's own commit that came before the commit's answer is known by then.
   */
  #heard(change: StoreChange): void {
    this.#pending.push(change);
    if (this.#timer !== undefined) return;
    this.#timer = platform.setTimeout(() => {
      this.#timer = undefined;
      let all = false;
      const names = new Set<string>();
      for (const c of this.#pending.splice(0)) {
        if (c.position !== undefined && this.#group.own.has(c.position)) continue;
        if (c.perspectives === undefined) all = true;
        else for (const name of c.perspectives) names.add(name);
      }
      for (const name of all ? [...this.#watchers.keys()] : names) this.#all(name);
    }, 0);
  }
}
