/**
 * Lens queries: a structured filter, sort and page that every driver can evaluate (memory in
 * JavaScript here; SQL drivers push it down). Field names are dotted paths into the model.
 */

/** A comparison on one field. */
export interface FieldFilter {
  /** Equal to the value. */
  readonly eq?: unknown;
  /** Not equal to the value. */
  readonly ne?: unknown;
  /** Greater than the value. */
  readonly gt?: number | string;
  /** Greater than or equal to the value. */
  readonly gte?: number | string;
  /** Less than the value. */
  readonly lt?: number | string;
  /** Less than or equal to the value. */
  readonly lte?: number | string;
  /** One of the values. */
  readonly in?: readonly unknown[];
  /** Substring of a string field, or element of an array field. */
  readonly contains?: unknown;
}

/** Every field must match: a plain value means equality. */
export type Where = Readonly<Record<string, FieldFilter | string | number | boolean | null>>;

/** Sort: `{ balance: 'desc' }` or a list of those, applied in order. */
export type OrderBy =
  | Readonly<Record<string, 'asc' | 'desc'>>
  | ReadonlyArray<Readonly<Record<string, 'asc' | 'desc'>>>;

/** A lens query. */
export interface Query {
  /** Which models: a filter per field (every one must hold). */
  readonly where?: Where;
  /** The order of the models, by fields. */
  readonly orderBy?: OrderBy;
  /** At most this many models. */
  readonly limit?: number;
  /** Skip this many models first. */
  readonly offset?: number;
  /**
   * Only the models after this cursor (the `next` of a page of the same query): keyset paging,
   * which stays right while other models are written or deleted between pages.
   */
  readonly after?: string | undefined;
}

/** One page of a lens query, with the cursor of the next. */
export interface Page<M> {
  /** The models of this page, in the query's order. */
  readonly models: M[];
  /**
   * The cursor to pass as `after` for the next page; undefined when this page was not full (there
   * is no next page).
   */
  readonly next: string | undefined;
}
