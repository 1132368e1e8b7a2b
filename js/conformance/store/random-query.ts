/**
 * Random lens models and queries over them, for checking a store's query answers against the
 * JavaScript evaluator (`runQuery`): nulls, missing fields, mixed types, arrays and nested paths.
 */
import fc from 'fast-check';
import type { Query, StoredModel } from '../whizbang.ts';

/** A field that is missing, `null`, or holds a value. */
type Maybe<T> = T | null | undefined;

/** One random model: the fields `randomQuery` filters and orders by. */
export interface RandomModel {
  /** A small integer or a double. */
  readonly n?: Maybe<number>;
  /** A short string, ASCII or below U+D800. */
  readonly s?: Maybe<string>;
  /** A boolean. */
  readonly b?: Maybe<boolean>;
  /** Strings and small integers, for `contains`. */
  readonly tags: readonly (string | number)[];
  /** A nested path, `nested.x`. */
  readonly nested?: { readonly x?: Maybe<number> };
}

// strings below U+D800 only: drivers order strings by UTF-8 bytes, JavaScript by UTF-16 units
const word = fc.constantFrom(
  '',
  'a',
  'ab',
  'b',
  'B',
  'abc',
  'z',
  'a b',
  "o'k",
  '10',
  '9',
  'é',
  'Ω',
);
const num = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
);
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.option(fc.option(arb, { nil: null }), { nil: undefined, freq: 4 });

/** Random models: every field may be missing or `null`; `tags` is always there. */
export const randomModel: fc.Arbitrary<RandomModel> = fc.record(
  {
    n: maybe(num),
    s: maybe(word),
    b: maybe(fc.boolean()),
    tags: fc.array(fc.oneof(word, fc.integer({ min: 0, max: 3 })), { maxLength: 3 }),
    nested: fc.record({ x: maybe(num) }, { requiredKeys: [] }),
  },
  { requiredKeys: ['tags'] },
);
const value = fc.oneof(num, word, fc.boolean(), fc.constant(null));
const filter = fc.oneof(
  value,
  fc.record(
    {
      eq: value,
      ne: value,
      gt: fc.oneof(num, word),
      gte: fc.oneof(num, word),
      lt: fc.oneof(num, word),
      lte: fc.oneof(num, word),
      in: fc.array(value, { maxLength: 3 }),
      contains: fc.oneof(word, fc.integer({ min: 0, max: 3 })),
    },
    { requiredKeys: [] },
  ),
);
const field = fc.constantFrom('n', 's', 'b', 'tags', 'nested.x', 'missing');

/** Random queries on `randomModel`: up to two filters, two sort keys, a limit and an offset. */
export const randomQuery: fc.Arbitrary<Query> = fc.record(
  {
    where: fc.dictionary(field, filter, { maxKeys: 2 }),
    orderBy: fc.array(
      fc
        .tuple(fc.constantFrom('n', 's', 'b', 'nested.x'), fc.constantFrom('asc', 'desc'))
        .map(([k, dir]) => ({ [k]: dir as 'asc' | 'desc' })),
      { maxLength: 2 },
    ),
    limit: fc.integer({ min: 0, max: 8 }),
    offset: fc.integer({ min: 0, max: 3 }),
  },
  { requiredKeys: [] },
);

/** Stored rows for `models`, ids `m00`, `m01`, ... in order, tenant `default`, version 1. */
export function rowsOf(models: readonly unknown[]): StoredModel[] {
  return models.map((model, i) => ({
    id: `m${String(i).padStart(2, '0')}`,
    tenant: 'default',
    model: JSON.parse(JSON.stringify(model)),
    version: 1,
    position: i + 1,
    updatedAt: 1,
  }));
}
