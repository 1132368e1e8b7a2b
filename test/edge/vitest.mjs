/**
 * What `vitest` resolves to inside workerd: the cross-runtime shim's collection, and jest's
 * standalone `expect` imported as a bundler sees it (no `createRequire` inside a Worker).
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
} from '../runtimes/collect.mjs';
export { expect } from './expect.mjs';
