/** Jest's standalone `expect`, plus the few vitest-only matchers that are cheap to match. */
import * as jest from 'expect';

export const expect = jest.expect ?? jest.default.expect;

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
