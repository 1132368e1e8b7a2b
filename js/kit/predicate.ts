/**
 * A query's filter made once into a function, for testing many models against it quickly (live
 * lenses test each changed model against every open live query). Same answers as `matches`.
 */
import type { FieldFilter, Where } from '../contracts/query.ts';
import { matches } from './query.ts';

type Test = (actual: unknown) => boolean;

const ordered =
  (expected: unknown, holds: (a: number, e: number) => boolean): Test =>
  (actual) =>
    typeof actual === typeof expected && holds(actual as number, expected as number);

function opTest(op: string, expected: unknown): Test | undefined {
  switch (op) {
    case 'eq':
      return (actual) => actual === expected;
    case 'ne':
      return (actual) => actual !== expected;
    case 'gt':
      return ordered(expected, (a, e) => a > e);
    case 'gte':
      return ordered(expected, (a, e) => a >= e);
    case 'lt':
      return ordered(expected, (a, e) => a < e);
    case 'lte':
      return ordered(expected, (a, e) => a <= e);
    default:
      return undefined; // `in`, `contains` and whatever else: the reference evaluator decides
  }
}

/** The tests of a field's filter, or undefined when one operator is left to `matches`. */
function fieldTests(filter: Where[string]): Test[] | undefined {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter))
    return [(actual) => actual === filter];
  const tests: Test[] = [];
  for (const op of Object.keys(filter)) {
    const test = opTest(op, (filter as Record<string, unknown>)[op]);
    if (test === undefined) return undefined;
    tests.push(test);
  }
  return tests;
}

function fieldPredicate(field: string, filter: Where[string]): (model: unknown) => boolean {
  const tests = fieldTests(filter);
  if (tests === undefined) {
    const where: Where = { [field]: filter as FieldFilter };
    return (model) => matches(model, where);
  }
  const path = field.split('.');
  return (model) => {
    let current = model;
    for (const key of path) {
      if (current === null || typeof current !== 'object') {
        current = undefined;
        break;
      }
      current = (current as Record<string, unknown>)[key];
    }
    for (const test of tests) if (!test(current)) return false;
    return true;
  };
}

/** `where` as a function of a model: true when the model matches, as `matches(model, where)`. */
export function compileWhere(where: Where | undefined): (model: unknown) => boolean {
  if (where === undefined) return () => true;
  const fields = Object.keys(where).map((field) => fieldPredicate(field, where[field]!));
  return (model) => {
    for (const field of fields) if (!field(model)) return false;
    return true;
  };
}
