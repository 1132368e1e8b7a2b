/**
 * The live lenses of one perspective, indexed so that a change set costs only the lenses it could
 * concern: a live `get` is found by its model's key, a live query is asked about each change (its
 * filter is a compiled function, so that is cheap).
 */
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
  /** The key (see `keyOf`) of the one model it follows; undefined for a query. */
  readonly key: string | undefined;
  changed(touched: Touched): void;
  stop(): void;
}

/** The key of a model in the index. */
export const keyOf = (tenant: string, id: string): string => `${tenant}\u0000${id}`;

/** One perspective's live lenses. */
export class PerspectiveLenses {
  readonly #byKey = new Map<string, Set<ChangeWatcher>>();
  readonly #queries = new Set<ChangeWatcher>();
  #size = 0;

  /** How many lenses there are. */
  get size(): number {
    return this.#size;
  }

  add(watcher: ChangeWatcher): void {
    this.#size++;
    if (watcher.key === undefined) {
      this.#queries.add(watcher);
      return;
    }
    let set = this.#byKey.get(watcher.key);
    if (set === undefined) {
      set = new Set();
      this.#byKey.set(watcher.key, set);
    }
    set.add(watcher);
  }

  delete(watcher: ChangeWatcher): void {
    const key = watcher.key;
    const set = key === undefined ? this.#queries : this.#byKey.get(key);
    if (set === undefined || !set.delete(watcher)) return;
    this.#size--;
    if (key !== undefined && set.size === 0) this.#byKey.delete(key);
  }

  /** Tells the lenses a change set could concern, each once. */
  changed(touched: Touched): void {
    if (touched === 'all') {
      for (const w of this.all()) w.changed('all');
      return;
    }
    for (const w of this.#queries) w.changed(touched);
    if (this.#byKey.size === 0) return;
    if (touched.length === 1) {
      for (const w of this.#byKey.get(keyOf(touched[0]!.tenant, touched[0]!.id)) ?? [])
        w.changed(touched);
      return;
    }
    const hit = new Map<ChangeWatcher, ModelChange[]>();
    for (const c of touched) {
      for (const w of this.#byKey.get(keyOf(c.tenant, c.id)) ?? []) {
        const list = hit.get(w);
        if (list === undefined) hit.set(w, [c]);
        else list.push(c);
      }
    }
    for (const [w, list] of hit) w.changed(list);
  }

  /** Every lens. */
  all(): ChangeWatcher[] {
    const out = [...this.#queries];
    for (const set of this.#byKey.values()) out.push(...set);
    return out;
  }
}
