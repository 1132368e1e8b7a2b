/**
 * The few vitest-only matchers that are cheap to match, added to a jest standalone `expect`
 * however it was loaded (createRequire under Node, Deno and Bun; a plain import inside workerd).
 */
export function withVitestMatchers(expect) {
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
  return expect;
}
