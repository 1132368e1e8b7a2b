/**
 * Bun preload: serves `vitest` from the shim. A runtime plugin's onResolve never fires for a bare
 * specifier that node_modules can satisfy (oven-sh/bun#40579), but a virtual module does win.
 */
import * as shim from './vitest-shim.mjs';

Bun.plugin({
  name: 'whizbang-vitest-shim',
  setup(build) {
    build.module('vitest', () => ({ exports: shim, loader: 'object' }));
  },
});
