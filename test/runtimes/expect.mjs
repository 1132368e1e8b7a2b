import { createRequire } from 'node:module';
import { withVitestMatchers } from './matchers.mjs';

// Bun hands a default import of a CommonJS module that sets `__esModule` its `exports.default`, so
// the ESM wrapper of the `expect` package exports `undefined` there; require() agrees everywhere.
const require = createRequire(import.meta.url);

/** Jest's standalone `expect`, plus the few vitest-only matchers that are cheap to match. */
export const expect = withVitestMatchers(require('expect').expect);
