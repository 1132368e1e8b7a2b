/**
 * A persistent hash trie of string keys: a checkpoint of the models is one root pointer, and the
 * next writes copy only the paths they touch. Nodes carry the edit token they were made under;
 * a writer changes nodes of its own token in place and copies the rest, so freezing everything
 * written so far is taking a new token (as Clojure's transients do).
 */

const BITS = 5;
const MASK = (1 << BITS) - 1;
/** Entries a leaf holds before it splits into a branch (unless the hash is used up). */
const LEAF = 8;

class Leaf<V> {
  constructor(
    public edit: number,
    public hashes: number[],
    public keys: string[],
    public values: V[],
  ) {}
}

class Branch<V> {
  constructor(
    public edit: number,
    public children: Array<Node<V> | undefined>,
    public count: number,
  ) {}
}

/** A trie node; `undefined` is the empty trie. */
export type Node<V> = Leaf<V> | Branch<V>;

let tokens = 0;
/** A fresh edit token: nodes made under earlier tokens are never changed in place by its holder. */
export function editToken(): number {
  return ++tokens;
}

/** 32-bit FNV-1a with a murmur finish, so that similar ids spread over the branches. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The value of `key`, or undefined. */
export function lookup<V>(node: Node<V> | undefined, key: string, hash: number): V | undefined {
  let shift = 0;
  while (node !== undefined) {
    if (node instanceof Leaf) {
      const { hashes, keys } = node;
      for (let i = 0; i < keys.length; i++) {
        if (hashes[i] === hash && keys[i] === key) return node.values[i];
      }
      return undefined;
    }
    node = node.children[(hash >>> shift) & MASK];
    shift += BITS;
  }
  return undefined;
}

const ownLeaf = <V>(leaf: Leaf<V>, edit: number): Leaf<V> =>
  leaf.edit === edit
    ? leaf
    : new Leaf(edit, leaf.hashes.slice(), leaf.keys.slice(), leaf.values.slice());
const ownBranch = <V>(branch: Branch<V>, edit: number): Branch<V> =>
  branch.edit === edit ? branch : new Branch(edit, branch.children.slice(), branch.count);

/** A trie and its size, as a writer holds it. */
export interface Slot<V> {
  root: Node<V> | undefined;
  size: number;
}

/** Set by `insert` and `remove`: how the trie's size changed (−1, 0 or +1). */
let delta = 0;

/** Sets `key` in `slot`. */
export function put<V>(slot: Slot<V>, key: string, hash: number, value: V, edit: number): void {
  slot.root = insert(slot.root, key, hash, value, edit);
  slot.size += delta;
}

/** Deletes `key` from `slot`. */
export function drop<V>(slot: Slot<V>, key: string, hash: number, edit: number): void {
  slot.root = remove(slot.root, key, hash, edit);
  slot.size += delta;
}

/** Sets `key`; returns the new root (the same one when changed in place) and sets `delta`. */
function insert<V>(
  node: Node<V> | undefined,
  key: string,
  hash: number,
  value: V,
  edit: number,
  shift = 0,
): Node<V> {
  if (node === undefined) {
    delta = 1;
    return new Leaf(edit, [hash], [key], [value]);
  }
  if (node instanceof Leaf) {
    const { hashes, keys } = node;
    for (let i = 0; i < keys.length; i++) {
      if (hashes[i] === hash && keys[i] === key) {
        delta = 0;
        if (node.values[i] === value) return node;
        const own = ownLeaf(node, edit);
        own.values[i] = value;
        return own;
      }
    }
    // a leaf below the last branch level keeps every entry of a full-hash collision
    if (keys.length < LEAF || shift >= 32) {
      const own = ownLeaf(node, edit);
      own.hashes.push(hash);
      own.keys.push(key);
      own.values.push(value);
      delta = 1;
      return own;
    }
    let branch: Node<V> = new Branch<V>(edit, new Array(1 << BITS).fill(undefined), 0);
    for (let i = 0; i < keys.length; i++) {
      branch = insert(branch, keys[i]!, hashes[i]!, node.values[i]!, edit, shift);
    }
    return insert(branch, key, hash, value, edit, shift);
  }
  const slot = (hash >>> shift) & MASK;
  const child = node.children[slot];
  const next = insert(child, key, hash, value, edit, shift + BITS);
  if (next === child) return node;
  const own = ownBranch(node, edit);
  own.children[slot] = next;
  if (child === undefined) own.count++;
  return own;
}

/** Deletes `key`; returns the new root (undefined when empty) and sets `delta`. */
function remove<V>(
  node: Node<V> | undefined,
  key: string,
  hash: number,
  edit: number,
  shift = 0,
): Node<V> | undefined {
  delta = 0;
  if (node === undefined) return node;
  if (node instanceof Leaf) {
    const { hashes, keys } = node;
    for (let i = 0; i < keys.length; i++) {
      if (hashes[i] === hash && keys[i] === key) {
        delta = -1;
        if (keys.length === 1) return undefined;
        const own = ownLeaf(node, edit);
        own.hashes.splice(i, 1);
        own.keys.splice(i, 1);
        own.values.splice(i, 1);
        return own;
      }
    }
    return node;
  }
  const slot = (hash >>> shift) & MASK;
  const child = node.children[slot];
  const next = remove(child, key, hash, edit, shift + BITS);
  if (delta === 0) return node;
  if (next === undefined && node.count === 1) return undefined;
  const own = ownBranch(node, edit);
  own.children[slot] = next;
  if (next === undefined) own.count--;
  return own;
}

/** Calls `fn` on every entry (in hash order). */
export function forEach<V>(node: Node<V> | undefined, fn: (value: V, key: string) => void): void {
  if (node === undefined) return;
  if (node instanceof Leaf) {
    for (let i = 0; i < node.keys.length; i++) fn(node.values[i]!, node.keys[i]!);
    return;
  }
  for (const child of node.children) forEach(child, fn);
}
