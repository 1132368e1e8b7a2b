import { createRequire } from 'node:module';

// Bun hands a default import of a CommonJS module that sets `__esModule` its `exports.default`, so
// the ESM wrapper of the `expect` package exports `undefined` there; require() agrees everywhere.
const require = createRequire(import.meta.url);

/** Jest's standalone `expect`, plus the few vitest-only matchers that are cheap to match. */
export const { expect } = require('expect');

expect.extend({
  toSatisfy(received, predicate, message) {
    const pass = Boolean(predicate(received));
    return {
      pass,
      message: () =>
        message ??
        `expected ${this.utils.printReceived(received)} ${pass ? 'not ' : ''}to satisfy the predicate`,
    };
  },
  toBeOneOf(received, expected) {
    const pass = expected.some((item) => this.equals(received, item));
    return {
      pass,
      message: () =>
        `expected ${this.utils.printReceived(received)} ${pass ? 'not ' : ''}to be one of ${this.utils.printExpected(expected)}`,
    };
  },
});

expect.unreachable = (message) => {
  throw new Error(message ?? 'expected this code not to be reached');
};
