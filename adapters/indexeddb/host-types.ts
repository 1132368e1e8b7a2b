/**
 * The IndexedDB types the driver's API names, as the program declares them (the DOM library's),
 * or opaque stand-ins where it declares none: the types of `whizbang/indexeddb` compile without
 * the DOM library (a Node program on fake-indexeddb, say), and are the DOM's where it is there.
 */

/** The type of global `Name` as the program declares it, else `Own`. */
export type Global<Name extends string, Own> = typeof globalThis extends {
  readonly [K in Name]: infer T;
}
  ? T
  : Own;

/** What stands in for a type the program does not declare. */
export interface Opaque<Name extends string> {
  /** Which type it stands in for. */
  readonly '~opaque': Name;
}

/** An IndexedDB factory (the type of the global `indexedDB`: the DOM's `IDBFactory`). */
export type IdbFactory = Global<'indexedDB', Opaque<'IDBFactory'>>;

/** The `IDBKeyRange` class (the DOM's `typeof IDBKeyRange`). */
export type IdbKeyRangeClass = Global<'IDBKeyRange', Opaque<'IDBKeyRange'>>;

/** An open IndexedDB database (the DOM's `IDBDatabase`). */
export type IdbDatabase = typeof globalThis extends {
  readonly IDBDatabase: { readonly prototype: infer T };
}
  ? T
  : Opaque<'IDBDatabase'>;
