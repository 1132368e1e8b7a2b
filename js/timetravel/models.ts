/**
 * The read models a time traveler replays into: a {@link StoreWriter} over persistent tries, so
 * that `applyOne` from the app's projection writes them with the same semantics as a real store,
 * and a checkpoint of every model is one pointer. The outer trie maps (perspective, tenant) to a
 * part; each part is a trie of rows by id. Both copy on write what a frozen state shares.
 */
import type { StoredModel, StoreWriter } from '../contracts/store.ts';
import { drop, editToken, forEach, hashKey, lookup, type Node, put, type Slot } from './trie.ts';

/** One perspective's rows of one tenant; changed in place only under the edit it was made with. */
interface Part extends Slot<StoredModel> {
  readonly edit: number;
}

/** Models as of one position. Never changes. */
export interface Frozen {
  readonly root: Node<Part> | undefined;
}

const EMPTY: Frozen = { root: undefined };

// Perspective names are letters, digits, _ and -: a newline cannot make two keys collide.
const partKey = (perspective: string, tenant: string): string => `${perspective}\n${tenant}`;

function partOf(
  root: Node<Part> | undefined,
  perspective: string,
  tenant: string,
): Part | undefined {
  const key = partKey(perspective, tenant);
  return lookup(root, key, hashKey(key));
}

/** Reads a row of a frozen state. */
export function rowOf(
  frozen: Frozen,
  perspective: string,
  tenant: string,
  id: string,
): StoredModel | undefined {
  const part = partOf(frozen.root, perspective, tenant);
  return part === undefined ? undefined : lookup(part.root, id, hashKey(id));
}

/** Every row of one perspective and tenant of a frozen state (in no particular order). */
export function rowsOf(frozen: Frozen, perspective: string, tenant: string): StoredModel[] {
  const rows: StoredModel[] = [];
  forEach(partOf(frozen.root, perspective, tenant)?.root, (row) => void rows.push(row));
  return rows;
}

/** The writable models of one cursor. */
export class Models implements StoreWriter {
  #parts: Slot<Part> = { root: undefined, size: 0 };
  #edit = editToken();
  #frozen: Frozen | undefined = EMPTY;
  // applyOne reads a row, then writes it: find its part and hash its id once
  #perspective = '';
  #tenant = '';
  #part: Part | undefined;
  #id = '';
  #hash = hashKey('');

  /** Starts again from a frozen state (or from nothing). */
  reset(frozen: Frozen = EMPTY): void {
    this.#parts = { root: frozen.root, size: 0 };
    this.#edit = editToken(); // the frozen nodes are shared from now on
    this.#frozen = frozen;
    this.#part = undefined;
  }

  /** The models as they are now, never to change: what is written next copies what it touches. */
  freeze(): Frozen {
    if (this.#frozen === undefined) {
      this.#frozen = { root: this.#parts.root };
      this.#edit = editToken();
      this.#part = undefined;
    }
    return this.#frozen;
  }

  #hashOf(id: string): number {
    if (id !== this.#id) {
      this.#id = id;
      this.#hash = hashKey(id);
    }
    return this.#hash;
  }

  /** The part to write to, made writable under the current edit. */
  #writable(perspective: string, tenant: string): Part {
    const cached = this.#part;
    if (
      cached !== undefined &&
      cached.edit === this.#edit &&
      this.#perspective === perspective &&
      this.#tenant === tenant
    ) {
      return cached;
    }
    const key = partKey(perspective, tenant);
    const hash = hashKey(key);
    const found = lookup(this.#parts.root, key, hash);
    let part = found;
    if (part === undefined || part.edit !== this.#edit) {
      part = { edit: this.#edit, root: found?.root, size: found?.size ?? 0 };
      put(this.#parts, key, hash, part, this.#edit);
    }
    this.#perspective = perspective;
    this.#tenant = tenant;
    this.#part = part;
    return part;
  }

  get(perspective: string, tenant: string, id: string): StoredModel | undefined {
    const part =
      this.#part !== undefined && this.#perspective === perspective && this.#tenant === tenant
        ? this.#part
        : partOf(this.#parts.root, perspective, tenant);
    return part === undefined ? undefined : lookup(part.root, id, this.#hashOf(id));
  }

  put(perspective: string, row: StoredModel): void {
    this.#frozen = undefined;
    put(this.#writable(perspective, row.tenant), row.id, this.#hashOf(row.id), row, this.#edit);
  }

  delete(perspective: string, tenant: string, id: string): void {
    this.#frozen = undefined;
    drop(this.#writable(perspective, tenant), id, this.#hashOf(id), this.#edit);
  }

  setCheckpoint(): void {
    // a time traveler's position is its cursor's, not a stored checkpoint
  }
}
