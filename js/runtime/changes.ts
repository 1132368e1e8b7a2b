/**
 * What committed transactions changed in the perspective store, for live lenses. While a live
 * lens is open, a transaction's model writes are recorded by perspective and key and told once it
 * has committed: one change set per transaction, never per event. Changes made elsewhere (another
 * tab, another process) come from the store's optional `watch`, or from `ledger.watch` when the
 * store has none; those say at most which perspectives changed.
 */
import type { Ledger } from '../contracts/ledger.ts';
import type {
  PerspectiveStore,
  StoreChange,
  StoredModel,
  StoreWriter,
} from '../contracts/store.ts';
import { WhizbangError } from '../util/errors.ts';
import { platform, type Timer } from '../util/platform.ts';
import type { InTransaction } from './flow.ts';
import { type ChangeWatcher, type ModelChange, PerspectiveLenses } from './live-index.ts';

/** A transaction's writer that records the models it writes (a class: no closures per commit). */
class RecordingWriter implements StoreWriter {
  readonly #tx: StoreWriter;
  readonly #recorder: Recorder;
  readonly outbox?: NonNullable<StoreWriter['outbox']>;

  constructor(tx: StoreWriter, recorder: Recorder) {
    this.#tx = tx;
    this.#recorder = recorder;
    if (tx.outbox !== undefined) this.outbox = tx.outbox;
  }

  get(perspective: string, tenant: string, id: string) {
    return this.#tx.get(perspective, tenant, id);
  }

  put(perspective: string, row: StoredModel) {
    this.#recorder.note(perspective, { tenant: row.tenant, id: row.id, model: row.model });
    return this.#tx.put(perspective, row);
  }

  delete(perspective: string, tenant: string, id: string) {
    this.#recorder.note(perspective, { tenant, id, model: undefined });
    return this.#tx.delete(perspective, tenant, id);
  }

  setCheckpoint(perspective: string, position: number) {
    return this.#tx.setCheckpoint(perspective, position);
  }
}

/** The model writes of one transaction, by perspective. */
export class Recorder {
  readonly byPerspective: Map<string, ModelChange[]> = new Map();

  /** Records a write. */
  note(perspective: string, change: ModelChange): void {
    const list = this.byPerspective.get(perspective);
    if (list === undefined) this.byPerspective.set(perspective, [change]);
    else list.push(change);
  }

  /** `tx`, with its puts and deletes recorded. */
  writer(tx: StoreWriter): StoreWriter {
    return new RecordingWriter(tx, this);
  }
}

/** Positions of this store's own commits remembered, to know their notices from other writers'. */
const OWN_POSITIONS = 256;

/** The newest positions of this store's own commits, in a ring (cheap to add to on every commit). */
class OwnPositions {
  readonly #ring = new Float64Array(OWN_POSITIONS).fill(-1);
  #next = 0;
  /** The newest one added: most notices are of it, and need no search. */
  #last = -1;

  add(position: number): void {
    this.#ring[this.#next] = position;
    this.#next = (this.#next + 1) % OWN_POSITIONS;
    this.#last = position;
  }

  has(position: number): boolean {
    return position === this.#last || this.#ring.includes(position);
  }

  clear(): void {
    this.#ring.fill(-1);
    this.#last = -1;
  }
}

/** The apps on one store object (one connection): each hears the others' change sets. */
interface Group {
  readonly hubs: Set<Changes>;
  readonly own: OwnPositions;
  /** How many live lenses watch each perspective, over every app on the store. */
  readonly watched: Map<string, number>;
}
const groups = new WeakMap<PerspectiveStore, Group>();

/** The live lenses of one app and the changes they hear of. */
export class Changes {
  readonly #watchers = new Map<string, PerspectiveLenses>();
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
      group = { hubs: new Set(), own: new OwnPositions(), watched: new Map() };
      groups.set(store, group);
    }
    this.#group = group;
  }

  /** True while a live lens is open: only then are writes recorded. */
  get active(): boolean {
    return this.#count > 0;
  }

  /**
   * A recorder for one transaction, when a live lens (of any app on this store) watches one of
   * `perspectives` (when not given: any perspective).
   */
  recorder(perspectives?: readonly { readonly name: string }[]): Recorder | undefined {
    const watched = this.#group.watched;
    if (watched.size === 0) return undefined;
    if (perspectives === undefined) return new Recorder();
    for (const p of perspectives) if (watched.has(p.name)) return new Recorder();
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
        hub.#watchers.get(perspective)?.changed(list);
      }
    }
  }

  /** A commit through this store at `position`: a notice of it is not another writer's. */
  own(position: number): void {
    if (this.#group.hubs.size === 0) return;
    this.#group.own.add(position);
  }

  /** Every model of `perspective` may have changed (a rebuild), in every app on this store. */
  all(perspective: string): void {
    for (const hub of this.#group.hubs) hub.#all(perspective);
  }

  #all(perspective: string): void {
    this.#watchers.get(perspective)?.changed('all');
  }

  /** Adds a live lens of `perspective`; returns its removal. */
  add(perspective: string, watcher: ChangeWatcher): () => void {
    if (this.#closed)
      throw new WhizbangError('CLOSED', 'The app is closed; build a new one to watch its lenses.');
    let set = this.#watchers.get(perspective);
    if (set === undefined) {
      set = new PerspectiveLenses();
      this.#watchers.set(perspective, set);
    }
    set.add(watcher);
    const watched = this.#group.watched;
    watched.set(perspective, (watched.get(perspective) ?? 0) + 1);
    if (this.#count++ === 0) {
      this.#group.hubs.add(this);
      this.#listen();
    }
    let removed = false;
    return () => {
      if (removed || this.#closed) return; // close() let go of everything already
      removed = true;
      watcher.stop();
      set.delete(watcher);
      this.#unwatched(perspective, 1);
      if (set.size === 0 && this.#watchers.get(perspective) === set)
        this.#watchers.delete(perspective);
      if (--this.#count === 0) this.#quiet();
    };
  }

  /** Stops every live lens and what listens for other writers. */
  close(): void {
    this.#closed = true;
    for (const [perspective, set] of this.#watchers) {
      for (const w of set.all()) w.stop();
      this.#unwatched(perspective, set.size);
    }
    this.#watchers.clear();
    this.#count = 0;
    this.#quiet();
  }

  #unwatched(perspective: string, n: number): void {
    const watched = this.#group.watched;
    const left = (watched.get(perspective) ?? 0) - n;
    if (left > 0) watched.set(perspective, left);
    else watched.delete(perspective);
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
    const moved = (head: number): void => {
      const before = this.#head;
      this.#head = head;
      if (before !== -1 && head !== before && !this.#group.own.has(head)) this.#heard({});
    };
    this.#unwatch = this.#ledger.watch(() => {
      const head = this.#ledger.headPosition();
      if (typeof head === 'number') moved(head);
      else head.then(moved, () => undefined); // the next notice reads it again
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
