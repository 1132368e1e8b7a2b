/**
 * Hostile input, as lists (each run once by the suite) and as fast-check generators that mix them
 * with ordinary input: ids, tenants and types (unpaired surrogates, U+0000, huge, not strings),
 * payloads (deep, huge, BigInt, cycles, `__proto__` keys, U+0000) and lens queries (huge,
 * inherited paths, values no driver answers alike).
 */
import fc from 'fast-check';
import type { Limits } from '../../kit/mod.ts';
import type { NewEvent, Query } from '../whizbang.ts';

/** Nested arrays `depth` deep around `leaf`. */
export function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function cycle(): unknown {
  const o: Record<string, unknown> = { name: 'loop' };
  o.self = o;
  return o;
}

/** Ids, tenants or types no driver may take, and a few at the edge that every driver must. */
export function hostileIds(limits: Limits): unknown[] {
  return [
    '',
    'a\0b',
    '\0',
    'acme\uD800',
    'acme\uDFFF',
    '\uDC00x',
    '\uD83D\uDE00 ok',
    'x'.repeat(limits.maxIdBytes),
    'x'.repeat(limits.maxIdBytes + 1),
    'é'.repeat(Math.floor(limits.maxIdBytes / 2) + 1),
    '.*>',
    `it's "quoted"; DROP TABLE x; --`,
    1,
    null,
    {},
    ['a'],
    true,
  ];
}

/** Makers of payloads no driver may take, or must keep exactly (a fresh value each call). */
export function hostilePayloads(limits: Limits): Array<() => unknown> {
  return [
    () => nested(limits.maxDepth - 1),
    () => nested(limits.maxDepth + 1),
    () => nested(20_000),
    () => ({ n: 1n }),
    () => 12n,
    () => cycle(),
    () => JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'),
    () => ({ text: 'a\0b' }),
    () => ({ '\uD800': 1 }),
    () => ({ text: 'x'.repeat(limits.maxPayloadBytes) }),
    () => ({ text: 'x'.repeat(limits.maxPayloadBytes - 20) }),
    () => ({ when: new Date(0), nan: Number.NaN, inf: Number.POSITIVE_INFINITY }),
    () => undefined,
  ];
}

const many = (n: number): Record<string, 'asc'> =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 'asc' as const]));

/** Makers of lens queries no driver may run: huge, malformed, values no driver answers alike. */
export function hostileQueries(limits: Limits): Array<() => Query> {
  const fields = (n: number) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, 1]));
  const made: Array<() => unknown> = [
    () => ({ orderBy: many(30_000) }),
    () => ({ orderBy: many(limits.maxSortKeys + 1) }),
    () => ({ where: fields(limits.maxWhereFields + 1) }),
    () => ({ where: { n: { in: new Array(limits.maxInValues + 1).fill(1) } } }),
    () => ({ where: { [new Array(limits.maxPathSegments + 1).fill('a').join('.')]: 1 } }),
    () => ({ where: { nested: { eq: nested(limits.maxDepth + 1) } } }),
    () => ({ where: { n: { eq: 1n } } }),
    () => ({ where: { n: Number.NaN } }),
    () => ({ where: { name: 'a\0' } }),
    () => ({ where: { 'a\uD800': 1 } }),
    () => ({ where: { n: { like: 1 } } }),
    () => ({ limit: -1 }),
    () => ({ offset: 1.5 }),
    () => ({ orderBy: { n: 'up' } }),
    () => ({ where: 'n = 1' }),
  ];
  return made as Array<() => Query>;
}

/** Ids, tenants or types: ordinary ones, and every kind of text or value no driver may take. */
export function hostileId(limits: Limits): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }) },
    { weight: 3, arbitrary: fc.constantFrom(...hostileIds(limits)) },
  );
}

const jsonSafe = (v: unknown): boolean => !/\\u(?:0000|d[89a-f])/i.test(JSON.stringify(v) ?? '');

/** Payloads: JSON values, and deep, huge, BigInt, cyclic, `__proto__`-keyed, U+0000 ones. */
export function hostilePayload(limits: Limits): fc.Arbitrary<unknown> {
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .jsonValue({ maxDepth: 3 })
        .map((v) => JSON.parse(JSON.stringify(v)) as unknown)
        .filter(jsonSafe),
    },
    {
      weight: 4,
      arbitrary: fc.constantFrom(...hostilePayloads(limits)).map((make) => make()),
    },
  );
}

/** An append's events: a few ordinary or hostile ones, sometimes one over the count limit. */
export function hostileEvents(limits: Limits): fc.Arbitrary<unknown> {
  const event = fc.record(
    { type: hostileId(limits), data: hostilePayload(limits), metadata: hostilePayload(limits) },
    { requiredKeys: ['type', 'data'] },
  );
  return fc.oneof(
    { weight: 12, arbitrary: fc.array(event, { minLength: 0, maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .constant(null)
        .map(() =>
          new Array<NewEvent>(limits.maxEventsPerAppend + 1).fill({ type: 'T', data: {} }),
        ),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([null], [1], ['T'], 'not events', {}) },
  );
}

const FIELDS = ['n', 'name', 'tags', 'tags.0', 'nested.x', 'id'];
const INHERITED = [
  'toString',
  'tags.length',
  'name.length',
  'constructor',
  '__proto__',
  'nested.hasOwnProperty',
];

/** Lens queries: small ordinary ones over the fixture models, and hostile or huge ones. */
export function hostileQuery(limits: Limits): fc.Arbitrary<Query> {
  const value = fc.oneof(
    fc.integer({ min: -3, max: 12 }),
    fc.constantFrom<unknown>('a', 'b', 'x', '', null, true, false),
  );
  const field = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...FIELDS) },
    { weight: 2, arbitrary: fc.constantFrom(...INHERITED) },
  );
  const filter = fc.oneof(
    value,
    fc.record({ eq: value }),
    fc.record({ ne: value }),
    fc.record({ gte: fc.integer({ min: -3, max: 12 }) }),
    fc.record({ lt: fc.constantFrom<number | string>(5, 'm') }),
    fc.record({ in: fc.array(value, { maxLength: 4 }) }),
    fc.record({ contains: fc.constantFrom<unknown>('a', 'x', 1) }),
  );
  const sort = fc.dictionary(
    fc.constantFrom(...FIELDS, ...INHERITED),
    fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
    { minKeys: 1, maxKeys: 1 },
  );
  const ordinary = fc.record(
    {
      where: fc.dictionary(field, filter, { maxKeys: 3 }),
      orderBy: fc.array(sort, { maxLength: 2 }),
      limit: fc.integer({ min: 0, max: 5 }),
      offset: fc.integer({ min: 0, max: 3 }),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<Query>;
  const huge = fc.constantFrom(...hostileQueries(limits)).map((make) => make());
  return fc.oneof({ weight: 4, arbitrary: ordinary }, { weight: 1, arbitrary: huge });
}

/** The models the query property runs over (the same rows in the driver and the reference). */
export const MODELS: ReadonlyArray<{ readonly id: string; readonly model: unknown }> = [
  { id: 'm1', model: { id: 'm1', n: 1, name: 'a', tags: ['a', 'b'], nested: { x: 1 } } },
  { id: 'm2', model: { id: 'm2', n: 5, name: 'b', tags: [], nested: { x: 'x' } } },
  { id: 'm3', model: { id: 'm3', n: 10, name: 'x', tags: ['x'], nested: {} } },
  { id: 'm4', model: { id: 'm4', name: '', tags: ['a'], nested: { x: null } } },
  { id: 'm5', model: { id: 'm5', n: -3, name: 'ab', tags: ['b', 'x'] } },
];
