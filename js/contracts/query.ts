/**
 * Lens queries: a structured filter, sort and page that every driver can evaluate (memory in
 * JavaScript here; SQL drivers push it down). Field names are dotted paths into the model.
 */

/** A comparison on one field. */
export interface FieldFilter {
  readonly eq?: unknown;
  readonly ne?: unknown;
  readonly gt?: number | string;
  readonly gte?: number | string;
  readonly lt?: number | string;
  readonly lte?: number | string;
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
  readonly where?: Where;
  readonly orderBy?: OrderBy;
  readonly limit?: number;
  readonly offset?: number;
}
