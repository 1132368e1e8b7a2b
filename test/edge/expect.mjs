/** Jest's standalone `expect` as a bundler sees it (no `createRequire` inside a Worker). */
import * as jest from 'expect';
import { withVitestMatchers } from '../runtimes/matchers.mjs';

/** Jest's standalone `expect`, plus the few vitest-only matchers that are cheap to match. */
export const expect = withVitestMatchers(jest.expect ?? jest.default.expect);
