/**
 * What `vitest` resolves to under Deno and Bun: the subset of vitest's API that the
 * `// @runtimes` test files may use, on jest's standalone `expect`. Anything else fails at import.
 */
export {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  it,
  suite,
  test,
} from './collect.mjs';
export { expect } from './expect.mjs';
