import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileWhere } from '../../js/kit/predicate.ts';
import { matches } from '../../js/kit/query.ts';

const value = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom('a', 'b', 'ab', ''),
  fc.boolean(),
  fc.constant(null),
);
const model = fc.record(
  {
    n: value,
    s: value,
    tags: fc.array(value, { maxLength: 3 }),
    owner: fc.record({ id: value }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const filter = fc.oneof(
  value,
  fc.record(
    {
      eq: value,
      ne: value,
      gt: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('a', 'b')),
      gte: fc.integer({ min: -5, max: 5 }),
      lt: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom('a', 'b')),
      lte: fc.integer({ min: -5, max: 5 }),
      in: fc.array(value, { maxLength: 3 }),
      contains: value,
    },
    { requiredKeys: [] },
  ),
);
const where = fc.dictionary(fc.constantFrom('n', 's', 'tags', 'owner.id', 'missing.x'), filter, {
  maxKeys: 3,
});

describe('compileWhere', () => {
  it('answers as matches does, on random models and filters', () => {
    fc.assert(
      fc.property(where, fc.array(model, { maxLength: 8 }), (w, models) => {
        const compiled = compileWhere(w);
        for (const m of models) expect(compiled(m)).toBe(matches(m, w));
      }),
      { numRuns: 300, seed: 15 },
    );
  });
});
